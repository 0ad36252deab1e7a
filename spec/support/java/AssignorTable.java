import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Assignment;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.GroupAssignment;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.GroupSubscription;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.StickyAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Prints (to stdout, and nothing else there) a JSON table of assignment cases computed by kafka-clients' own
 * StickyAssignor and CooperativeStickyAssignor, for the TypeScript ports in src/strategies/ to be checked against.
 * Regenerate with `node scripts/assignor-table.js`, which compiles and runs this and writes
 * spec/unit/strategies/java-sticky-table.json. Deterministic: a fixed-seed Random, so a rerun is byte-identical.
 *
 * Every case is the exact input the group leader's assignor sees: a HashMap of Subscriptions filled by put() in the
 * case's member order (as ConsumerCoordinator.onLeaderElected does), passed to
 * ConsumerPartitionAssignor.assign(Cluster, GroupSubscription) on a fresh assignor instance.
 *
 * Simulated groups evolve over generations; each member's reported state is what that assignor's member really
 * reports: for "sticky" (eager) the userData StickyAssignor.subscriptionUserData returns after onAssignment, and no
 * owned partitions; for "cooperative-sticky" its 4-byte generation userData and its previous assignment as owned
 * partitions. Cooperative rebalances that revoked something are followed by the second rebalance Java would do.
 */
public final class AssignorTable {
    static final long SEED = 0x5EED_57C4L;
    static final String STICKY = "sticky";
    static final String COOP = "cooperative-sticky";
    static final Node NODE = new Node(0, "localhost", 9092);

    // ------------------------------------------------------------------ inputs and running one case

    /** One member's Subscription, exactly as put into the leader's HashMap. */
    static final class MemberInput {
        final String memberId;
        final String groupInstanceId; // null = none
        final List<String> topics;
        final byte[] userData; // null = none
        final List<TopicPartition> owned;
        final int generationId; // < 0 = absent

        MemberInput(String memberId, String groupInstanceId, List<String> topics, byte[] userData,
                    List<TopicPartition> owned, int generationId) {
            this.memberId = memberId;
            this.groupInstanceId = groupInstanceId;
            this.topics = new ArrayList<>(topics);
            this.userData = userData == null ? null : userData.clone();
            this.owned = new ArrayList<>(owned);
            this.generationId = generationId;
        }
    }

    static final class Result {
        final LinkedHashMap<String, List<TopicPartition>> assignment; // null when error
        final String error;

        Result(LinkedHashMap<String, List<TopicPartition>> assignment, String error) {
            this.assignment = assignment;
            this.error = error;
        }
    }

    static final StringBuilder CASES = new StringBuilder();
    static int caseCount = 0;

    static Result run(String name, String assignor, Map<String, Integer> counts, List<MemberInput> members) {
        List<PartitionInfo> infos = new ArrayList<>();
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            for (int p = 0; p < e.getValue(); p++) {
                infos.add(new PartitionInfo(e.getKey(), p, NODE, new Node[] {NODE}, new Node[] {NODE}));
            }
        }
        Cluster cluster = new Cluster("assignor-table", Collections.singletonList(NODE), infos,
            Collections.emptySet(), Collections.emptySet());
        Map<String, Subscription> subscriptions = new HashMap<>();
        for (MemberInput m : members) {
            Subscription s = new Subscription(new ArrayList<>(m.topics),
                m.userData == null ? null : ByteBuffer.wrap(m.userData.clone()),
                new ArrayList<>(m.owned), m.generationId, Optional.empty());
            if (m.groupInstanceId != null) s.setGroupInstanceId(Optional.of(m.groupInstanceId));
            subscriptions.put(m.memberId, s);
        }
        ConsumerPartitionAssignor a = assignor.equals(STICKY) ? new StickyAssignor() : new CooperativeStickyAssignor();
        Result result;
        try {
            GroupAssignment ga = a.assign(cluster, new GroupSubscription(subscriptions));
            LinkedHashMap<String, List<TopicPartition>> out = new LinkedHashMap<>();
            Map<String, Assignment> got = ga.groupAssignment();
            for (MemberInput m : members) {
                Assignment as = got.get(m.memberId);
                if (as != null) out.put(m.memberId, new ArrayList<>(as.partitions()));
            }
            for (Map.Entry<String, Assignment> e : got.entrySet()) { // never expected: ids not among the members
                if (!out.containsKey(e.getKey())) out.put(e.getKey(), new ArrayList<>(e.getValue().partitions()));
            }
            result = new Result(out, null);
        } catch (Exception e) {
            result = new Result(null, e.getClass().getName() + ": " + e.getMessage());
        }
        writeCase(name, assignor, counts, members, result);
        return result;
    }

    static boolean subscriptionsEqual(List<MemberInput> members) {
        if (members.isEmpty()) return true;
        HashSet<String> first = new HashSet<>(members.get(0).topics);
        for (MemberInput m : members) {
            if (!new HashSet<>(m.topics).equals(first)) return false;
        }
        return true;
    }

    // ------------------------------------------------------------------ JSON

    static String str(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20 || c > 0x7e) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    static String hex(byte[] bytes) {
        if (bytes == null) return "null";
        StringBuilder b = new StringBuilder("\"");
        for (byte x : bytes) b.append(String.format("%02x", x & 0xff));
        return b.append('"').toString();
    }

    static String tps(List<TopicPartition> list) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) b.append(',');
            b.append('[').append(str(list.get(i).topic())).append(',').append(list.get(i).partition()).append(']');
        }
        return b.append(']').toString();
    }

    static String strs(List<String> list) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < list.size(); i++) b.append(i > 0 ? "," : "").append(str(list.get(i)));
        return b.append(']').toString();
    }

    static void writeCase(String name, String assignor, Map<String, Integer> counts, List<MemberInput> members, Result r) {
        StringBuilder b = new StringBuilder();
        b.append("    {\"name\":").append(str(name)).append(",\"assignor\":").append(str(assignor));
        b.append(",\"subscriptionsEqual\":").append(subscriptionsEqual(members));
        b.append(",\"partitionCounts\":{");
        int i = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            b.append(i++ > 0 ? "," : "").append(str(e.getKey())).append(':').append(e.getValue());
        }
        b.append("},\n     \"members\":[");
        for (int m = 0; m < members.size(); m++) {
            MemberInput x = members.get(m);
            b.append(m > 0 ? ",\n       " : "\n       ");
            b.append("{\"memberId\":").append(str(x.memberId)).append(",\"groupInstanceId\":").append(str(x.groupInstanceId))
                .append(",\"topics\":").append(strs(x.topics)).append(",\"userData\":").append(hex(x.userData))
                .append(",\"ownedPartitions\":").append(tps(x.owned)).append(",\"generationId\":").append(x.generationId)
                .append('}');
        }
        b.append("],\n     ");
        if (r.error != null) {
            b.append("\"error\":").append(str(r.error));
        } else {
            b.append("\"assignment\":{");
            int k = 0;
            for (Map.Entry<String, List<TopicPartition>> e : r.assignment.entrySet()) {
                b.append(k++ > 0 ? ",\n       " : "\n       ").append(str(e.getKey())).append(':').append(tps(e.getValue()));
            }
            b.append('}');
        }
        b.append('}');
        if (caseCount++ > 0) CASES.append(",\n");
        CASES.append(b);
    }

    // ------------------------------------------------------------------ userData, through the assignors' own API

    static byte[] bytes(ByteBuffer b) {
        if (b == null) return null;
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    @SuppressWarnings("removal") // the 4-argument constructor is what a consumer builds; nothing else sets a generation
    static ConsumerGroupMetadata meta(int generation, String memberId) {
        return new ConsumerGroupMetadata("g", generation, memberId, Optional.empty());
    }

    /** StickyAssignor.subscriptionUserData after onAssignment(partitions, generation) on a fresh instance; null list = never assigned. */
    static byte[] stickyUserData(List<TopicPartition> partitions, int generation, String memberId, List<String> topics) {
        StickyAssignor a = new StickyAssignor();
        if (partitions != null) a.onAssignment(new Assignment(new ArrayList<>(partitions)), meta(generation, memberId));
        return bytes(a.subscriptionUserData(new HashSet<>(topics)));
    }

    /** CooperativeStickyAssignor.subscriptionUserData after onAssignment; null list = never assigned (fresh instance). */
    static byte[] coopUserData(List<TopicPartition> partitions, int generation, String memberId, List<String> topics) {
        CooperativeStickyAssignor a = new CooperativeStickyAssignor();
        if (partitions != null) a.onAssignment(new Assignment(new ArrayList<>(partitions)), meta(generation, memberId));
        return bytes(a.subscriptionUserData(new HashSet<>(topics)));
    }

    // ------------------------------------------------------------------ simulated groups

    static final Random RND = new Random(SEED);

    static String uuid(Random r) {
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /** A member as the plan knows it: identity and subscription (kind-independent). */
    static final class Spec {
        final String memberId;
        final String instanceId;
        final List<String> topics;
        final boolean oldClient; // reports generationId -1 (pre-v2 subscription)

        Spec(String memberId, String instanceId, List<String> topics, boolean oldClient) {
            this.memberId = memberId;
            this.instanceId = instanceId;
            this.topics = new ArrayList<>(topics);
            this.oldClient = oldClient;
        }

        Spec withTopics(List<String> t) { return new Spec(memberId, instanceId, t, oldClient); }
    }

    /** One planned rebalance: the group's structure, plus an optional twist in what one member reports. */
    static final class Snap {
        final String label;
        final LinkedHashMap<String, Integer> counts;
        final List<Spec> members;
        final String twist; // null, "stale", "dup-same", "dup-diff"
        final long seed;

        Snap(String label, Map<String, Integer> counts, List<Spec> members, String twist, long seed) {
            this.label = label;
            this.counts = new LinkedHashMap<>(counts);
            this.members = new ArrayList<>(members);
            this.twist = twist;
            this.seed = seed;
        }
    }

    static final class Held {
        final int gen;
        final List<TopicPartition> parts;

        Held(int gen, List<TopicPartition> parts) {
            this.gen = gen;
            this.parts = parts;
        }
    }

    /** A member's state for one assignor: its own assignor instance and the assignments it received. */
    static final class MState {
        final StickyAssignor sticky = new StickyAssignor();
        final CooperativeStickyAssignor coop = new CooperativeStickyAssignor();
        final List<Held> history = new ArrayList<>();

        Held last() { return history.isEmpty() ? null : history.get(history.size() - 1); }
    }

    static final String[] ODD_NAMES = {"orders", "a.b-c_d", "payments.v2", "t10", "Z", "t2", "__proto__", "x"};

    static List<String> pickTopics(Random r, int n) {
        List<String> names = new ArrayList<>();
        if (r.nextDouble() < 0.7) {
            for (int i = 0; i < n; i++) names.add("t" + i);
        } else {
            List<String> pool = new ArrayList<>(Arrays.asList(ODD_NAMES));
            pool.addAll(Arrays.asList("t0", "t1", "t3"));
            Collections.shuffle(pool, r);
            names.addAll(pool.subList(0, n));
        }
        return names;
    }

    static List<String> variantOf(Random r, List<String> all, List<String> base) {
        List<String> t = new ArrayList<>(base);
        List<String> missing = new ArrayList<>(all);
        missing.removeAll(t);
        if (t.size() > 1 && (missing.isEmpty() || r.nextBoolean())) {
            t.remove(r.nextInt(t.size()));
        } else if (!missing.isEmpty()) {
            t.add(missing.get(r.nextInt(missing.size())));
        } else {
            t.add("absent-topic"); // a topic nobody's metadata knows
        }
        if (r.nextDouble() < 0.3) Collections.shuffle(t, r); // subscription order is not significant
        return t;
    }

    static int clientSeq;

    static Spec newMember(Random r, List<String> topics, int mode, int[] instanceSeq) {
        boolean isStatic = r.nextDouble() < 0.3;
        boolean old = mode == 1 || (mode == 2 && r.nextBoolean());
        String id = uuid(r);
        if (isStatic) {
            String inst = "instance-" + (instanceSeq[0]++);
            return new Spec(inst + "-" + id, inst, topics, old);
        }
        return new Spec("consumer-g-" + (++clientSeq) + "-" + id, null, topics, old);
    }

    static List<Snap> plan(int scenario) {
        Random r = RND;
        clientSeq = 0;
        int[] instanceSeq = {0};
        int nTopics = 1 + r.nextInt(4);
        List<String> topics = pickTopics(r, nTopics);
        LinkedHashMap<String, Integer> counts = new LinkedHashMap<>();
        for (String t : topics) counts.put(t, 1 + r.nextInt(16));
        List<String> common = new ArrayList<>(topics);
        boolean unequal = r.nextDouble() < 0.3;
        double modeDraw = r.nextDouble();
        int mode = modeDraw < 0.7 ? 0 : modeDraw < 0.85 ? 1 : 2; // 0 new clients, 1 old clients, 2 mixed
        int nMembers = 1 + r.nextInt(r.nextBoolean() ? 4 : 7);
        List<Spec> members = new ArrayList<>();
        for (int i = 0; i < nMembers; i++) {
            List<String> t = unequal && r.nextBoolean() ? variantOf(r, topics, common) : common;
            members.add(newMember(r, t, mode, instanceSeq));
        }
        List<Snap> snaps = new ArrayList<>();
        snaps.add(new Snap("generation 1: initial join", counts, members, null, r.nextLong()));
        int steps = 3 + r.nextInt(4);
        for (int s = 1; s <= steps; s++) {
            int w = r.nextInt(100);
            String label;
            String twist = null;
            if (w < 18 && members.size() < 7) {
                List<String> t = r.nextDouble() < 0.35 ? variantOf(r, new ArrayList<>(counts.keySet()), common) : common;
                members.add(newMember(r, t, mode, instanceSeq));
                label = "member joins";
            } else if (w < 32 && members.size() > 1) {
                members.remove(r.nextInt(members.size()));
                label = "member leaves";
            } else if (w < 44) {
                String t = new ArrayList<>(counts.keySet()).get(r.nextInt(counts.size()));
                int add = 1 + r.nextInt(4);
                counts.put(t, Math.min(20, counts.get(t) + add));
                label = "partitions added to " + t;
            } else if (w < 58) {
                int i = r.nextInt(members.size());
                Spec m = members.get(i);
                boolean isCommon = new HashSet<>(m.topics).equals(new HashSet<>(common));
                if (isCommon || r.nextDouble() < 0.3) {
                    members.set(i, m.withTopics(variantOf(r, new ArrayList<>(counts.keySet()), m.topics)));
                    label = "member changes its subscription";
                } else {
                    members.set(i, m.withTopics(common));
                    label = "member returns to the common subscription";
                }
            } else if (w < 66) {
                twist = "stale";
                label = "member comes back with a stale generation";
            } else if (w < 74) {
                twist = "dup-same";
                label = "two members claim the same partition (same generation)";
            } else if (w < 82) {
                twist = "dup-diff";
                label = "two members claim the same partition (different generations)";
            } else if (w < 88) {
                List<Integer> statics = new ArrayList<>();
                for (int i = 0; i < members.size(); i++) if (members.get(i).instanceId != null) statics.add(i);
                if (statics.isEmpty()) {
                    label = "rebalance with no change";
                } else {
                    int i = statics.get(r.nextInt(statics.size()));
                    Spec m = members.get(i);
                    members.set(i, new Spec(m.instanceId + "-" + uuid(r), m.instanceId, m.topics, m.oldClient));
                    label = "static member restarts (new member id, no state)";
                }
            } else if (w < 94) {
                String t = "new" + scenario + "_" + s;
                counts.put(t, 1 + r.nextInt(8));
                for (int i = 0; i < members.size(); i++) {
                    Spec m = members.get(i);
                    if (new HashSet<>(m.topics).equals(new HashSet<>(common))) {
                        List<String> nt = new ArrayList<>(m.topics);
                        nt.add(t);
                        members.set(i, m.withTopics(nt));
                    }
                }
                common.add(t);
                label = "topic " + t + " created and matched by the subscription";
            } else {
                label = "rebalance with no change";
            }
            snaps.add(new Snap(label, counts, members, twist, r.nextLong()));
        }
        return snaps;
    }

    static List<TopicPartition> without(List<TopicPartition> list, List<String> topics) {
        List<TopicPartition> out = new ArrayList<>();
        for (TopicPartition tp : list) if (topics.contains(tp.topic())) out.add(tp);
        return out;
    }

    static void execute(int scenario, List<Snap> snaps, String kind) {
        Map<String, MState> state = new HashMap<>();
        int gen = 0;
        for (int step = 0; step < snaps.size(); step++) {
            Snap snap = snaps.get(step);
            boolean followUp = false;
            String twist = snap.twist;
            for (int round = 0; round < 3; round++) {
                gen++;
                Random r = new Random(snap.seed + round);
                List<MemberInput> inputs = new ArrayList<>();
                Map<String, List<TopicPartition>> reportedOwned = new HashMap<>();
                String twistNote = "";
                // the twist's member(s), chosen among those for whom it is meaningful
                String twistA = null;
                String twistB = null;
                TopicPartition claimed = null;
                int claimGen = 0;
                if (twist != null && !followUp) {
                    List<Spec> ms = snap.members;
                    if (twist.equals("stale")) {
                        List<String> cands = new ArrayList<>();
                        for (Spec m : ms) {
                            MState st = state.get(m.memberId);
                            if (st != null && st.history.size() >= 2) cands.add(m.memberId);
                        }
                        if (!cands.isEmpty()) twistA = cands.get(r.nextInt(cands.size()));
                    } else {
                        List<String[]> pairs = new ArrayList<>();
                        for (Spec a : ms) {
                            for (Spec b : ms) {
                                if (a == b) continue;
                                MState sa = state.get(a.memberId);
                                MState sb = state.get(b.memberId);
                                if (sa == null || sb == null || sa.last() == null || sb.last() == null) continue;
                                if (sb.last().parts.isEmpty()) continue;
                                pairs.add(new String[] {a.memberId, b.memberId});
                            }
                        }
                        if (!pairs.isEmpty()) {
                            String[] p = pairs.get(r.nextInt(pairs.size()));
                            twistA = p[0];
                            twistB = p[1];
                            List<TopicPartition> bParts = state.get(twistB).last().parts;
                            claimed = bParts.get(r.nextInt(bParts.size()));
                            claimGen = state.get(twistA).last().gen;
                        }
                    }
                    if (twistA == null) twistNote = " (no member qualifies: reported normally)";
                }
                boolean victimStale = twist != null && twist.equals("dup-diff") && r.nextBoolean();
                String claimNote = "";
                String ownerNote = "";
                for (Spec m : snap.members) {
                    MState st = state.computeIfAbsent(m.memberId, k -> new MState());
                    Held held = st.last();
                    // what the member reports: its latest assignment, or an older one for a stale member
                    List<TopicPartition> parts = held == null ? null : new ArrayList<>(held.parts);
                    int hgen = held == null ? -1 : held.gen;
                    if (m.memberId.equals(twistA) && twist.equals("stale")) {
                        Held old = st.history.get(r.nextInt(st.history.size() - 1));
                        parts = new ArrayList<>(old.parts);
                        hgen = old.gen;
                        twistNote = " (reports generation " + old.gen + ", group was at " + (gen - 1) + ")";
                    }
                    if (m.memberId.equals(twistA) && claimed != null) {
                        if (!parts.contains(claimed)) parts.add(claimed);
                        if (twist.equals("dup-diff") && !victimStale) hgen = Math.max(0, claimGen - 1);
                        claimNote = " (" + m.memberId.substring(0, 12) + "... also claims " + claimed + " at generation " + hgen;
                    }
                    if (m.memberId.equals(twistB) && victimStale) {
                        hgen = Math.max(0, hgen - 1);
                        ownerNote = ", its owner reports generation " + hgen;
                    }
                    byte[] userData;
                    List<TopicPartition> owned;
                    if (kind.equals(STICKY)) {
                        // eager: revoked everything before rejoining; the previous assignment lives in userData
                        boolean altered = held != null && (hgen != held.gen || !parts.equals(held.parts));
                        userData = altered ? stickyUserData(parts, hgen, m.memberId, m.topics)
                                           : bytes(st.sticky.subscriptionUserData(new HashSet<>(m.topics)));
                        owned = Collections.emptyList();
                    } else {
                        // cooperative: a member revokes partitions of topics it no longer subscribes to before joining
                        boolean altered = held != null && hgen != held.gen;
                        userData = altered ? coopUserData(parts, hgen, m.memberId, m.topics)
                                           : bytes(st.coop.subscriptionUserData(new HashSet<>(m.topics)));
                        owned = parts == null ? Collections.emptyList() : without(parts, m.topics);
                    }
                    int generationId = m.oldClient || held == null ? -1 : hgen;
                    inputs.add(new MemberInput(m.memberId, m.instanceId, m.topics, userData, owned, generationId));
                    reportedOwned.put(m.memberId, owned);
                }
                if (claimed != null) twistNote = claimNote + ownerNote + ")";
                String name = "scenario " + scenario + " step " + step + ": "
                    + (followUp ? "follow-up rebalance after revocation" : snap.label + twistNote)
                    + " [generation " + gen + "]";
                Result res = run(name, kind, snap.counts, inputs);
                if (res.error != null) {
                    // a failed assignment: the group retries; members keep what they had
                    break;
                }
                boolean revoked = false;
                for (Spec m : snap.members) {
                    List<TopicPartition> got = res.assignment.getOrDefault(m.memberId, Collections.emptyList());
                    MState st = state.get(m.memberId);
                    Assignment as = new Assignment(new ArrayList<>(got));
                    st.sticky.onAssignment(as, meta(gen, m.memberId));
                    st.coop.onAssignment(as, meta(gen, m.memberId));
                    st.history.add(new Held(gen, new ArrayList<>(got)));
                    for (TopicPartition tp : reportedOwned.get(m.memberId)) if (!got.contains(tp)) revoked = true;
                }
                if (!(kind.equals(COOP) && revoked)) break;
                followUp = true;
            }
        }
    }

    // ------------------------------------------------------------------ hand-written edge cases

    /** A hand-written member: owned null = never assigned (fresh assignor instance). */
    static final class EM {
        final String memberId;
        String instanceId;
        final List<String> topics;
        final List<TopicPartition> owned;
        final int gen;
        boolean stickyUserDataSet;
        byte[] stickyUserData;
        List<TopicPartition> stickyOwned = Collections.emptyList();
        Integer stickyGenerationId;
        boolean coopUserDataSet;
        byte[] coopUserData;
        Integer coopGenerationId;

        EM(String memberId, List<String> topics, List<TopicPartition> owned, int gen) {
            this.memberId = memberId;
            this.topics = topics;
            this.owned = owned;
            this.gen = gen;
        }

        EM inst(String i) { instanceId = i; return this; }
        EM stickyUD(byte[] b) { stickyUserDataSet = true; stickyUserData = b; return this; }
        EM stickyOwned(List<TopicPartition> o) { stickyOwned = o; return this; }
        EM stickyGen(int g) { stickyGenerationId = g; return this; }
        EM coopUD(byte[] b) { coopUserDataSet = true; coopUserData = b; return this; }
        EM coopGen(int g) { coopGenerationId = g; return this; }

        MemberInput input(String kind) {
            if (kind.equals(STICKY)) {
                byte[] ud = stickyUserDataSet ? stickyUserData : stickyUserData(owned, gen, memberId, topics);
                int g = stickyGenerationId != null ? stickyGenerationId : owned == null ? -1 : gen;
                return new MemberInput(memberId, instanceId, topics, ud, stickyOwned, g);
            }
            byte[] ud = coopUserDataSet ? coopUserData : coopUserData(owned, gen, memberId, topics);
            int g = coopGenerationId != null ? coopGenerationId : owned == null ? -1 : gen;
            return new MemberInput(memberId, instanceId, topics, ud, owned == null ? Collections.emptyList() : owned, g);
        }
    }

    static TopicPartition tp(String t, int p) { return new TopicPartition(t, p); }

    static List<TopicPartition> tps(Object... tp) {
        List<TopicPartition> l = new ArrayList<>();
        for (int i = 0; i < tp.length; i += 2) l.add(new TopicPartition((String) tp[i], (Integer) tp[i + 1]));
        return l;
    }

    static List<TopicPartition> range(String t, int from, int to) {
        List<TopicPartition> l = new ArrayList<>();
        for (int p = from; p < to; p++) l.add(tp(t, p));
        return l;
    }

    static LinkedHashMap<String, Integer> counts(Object... kv) {
        LinkedHashMap<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Integer) kv[i + 1]);
        return m;
    }

    static List<String> t(String... s) { return Arrays.asList(s); }

    static String mid(int i) { return "consumer-g-" + i + "-" + uuid(RND); }

    static void edge(String name, Map<String, Integer> counts, EM... members) {
        for (String kind : new String[] {STICKY, COOP}) {
            List<MemberInput> inputs = new ArrayList<>();
            for (EM m : members) inputs.add(m.input(kind));
            run("edge: " + name, kind, counts, inputs);
        }
    }

    /** StickyAssignor userData version 0 (no generation field), as clients before 2.3 wrote it. */
    static byte[] stickyV0(Map<String, List<Integer>> byTopic) {
        int size = 4;
        for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) size += 2 + e.getKey().length() + 4 + 4 * e.getValue().size();
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(byTopic.size());
        for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            b.putShort((short) name.length).put(name).putInt(e.getValue().size());
            for (int p : e.getValue()) b.putInt(p);
        }
        return b.array();
    }

    static void edges() {
        edge("one member, nothing owned", counts("t0", 3), new EM(mid(1), t("t0"), null, -1));
        edge("one member owning everything, owned list out of order", counts("t0", 3, "t1", 2),
            new EM(mid(1), t("t0", "t1"), tps("t1", 1, "t0", 2, "t0", 0, "t1", 0, "t0", 1), 4));
        edge("more members than partitions, nothing owned", counts("t0", 2),
            new EM(mid(1), t("t0"), null, -1), new EM(mid(2), t("t0"), null, -1), new EM(mid(3), t("t0"), null, -1),
            new EM(mid(4), t("t0"), null, -1), new EM(mid(5), t("t0"), null, -1));
        edge("more members than partitions, one member owns two", counts("t0", 3),
            new EM(mid(1), t("t0"), tps("t0", 0, "t0", 2), 3), new EM(mid(2), t("t0"), tps("t0", 1), 3),
            new EM(mid(3), t("t0"), Collections.emptyList(), 3), new EM(mid(4), t("t0"), null, -1));
        edge("subscribed topic absent from the cluster", counts("t0", 4),
            new EM(mid(1), t("t0", "ghost"), tps("t0", 0, "t0", 1), 2), new EM(mid(2), t("t0", "ghost"), null, -1));
        edge("zero topics known", counts(),
            new EM(mid(1), t("ghost"), null, -1), new EM(mid(2), t("ghost", "other"), null, -1));
        edge("zero topics known, members own partitions of them", counts(),
            new EM(mid(1), t("ghost"), tps("ghost", 0, "ghost", 1), 5), new EM(mid(2), t("ghost"), tps("ghost", 2), 5));
        edge("identical subscriptions, one owns partitions of a deleted subscribed topic", counts("t0", 4),
            new EM(mid(1), t("t0", "gone"), tps("gone", 0, "t0", 1, "gone", 1), 6),
            new EM(mid(2), t("t0", "gone"), tps("t0", 0), 6), new EM(mid(3), t("t0", "gone"), tps("t0", 2, "t0", 3), 6));
        edge("identical subscriptions, one owns partitions of a topic it no longer subscribes to and that is gone",
            counts("t0", 4),
            new EM(mid(1), t("t0"), tps("gone", 0, "t0", 0, "gone", 1), 6), new EM(mid(2), t("t0"), tps("t0", 1), 6));
        edge("topic named __proto__", counts("__proto__", 3),
            new EM(mid(1), t("__proto__"), tps("__proto__", 0, "__proto__", 1), 2), new EM(mid(2), t("__proto__"), null, -1));
        edge("topics named like Object.prototype members", counts("__proto__", 2, "constructor", 2, "toString", 1, "hasOwnProperty", 2),
            new EM(mid(1), t("__proto__", "constructor", "toString", "hasOwnProperty"), tps("constructor", 1, "__proto__", 0), 3),
            new EM(mid(2), t("__proto__", "constructor", "toString", "hasOwnProperty"), tps("hasOwnProperty", 0), 3),
            new EM(mid(3), t("constructor", "__proto__"), null, -1));
        edge("disjoint subscriptions with ownership", counts("t0", 4, "t1", 3, "t2", 2),
            new EM(mid(1), t("t0"), tps("t0", 0, "t0", 1, "t0", 2, "t0", 3), 7), new EM(mid(2), t("t1", "t2"), tps("t1", 0), 7),
            new EM(mid(3), t("t1"), null, -1), new EM(mid(4), t("t0", "t2"), Collections.emptyList(), 7));
        edge("a member with an empty subscription", counts("t0", 4),
            new EM(mid(1), t("t0"), tps("t0", 0, "t0", 1), 2), new EM(mid(2), t(), tps("t0", 2), 2), new EM(mid(3), t("t0"), null, -1));
        edge("all members with empty subscriptions", counts("t0", 4),
            new EM(mid(1), t(), null, -1), new EM(mid(2), t(), tps("t0", 1), 2));
        edge("owned partition beyond the topic's partition count", counts("t0", 4),
            new EM(mid(1), t("t0"), tps("t0", 7, "t0", 0), 3), new EM(mid(2), t("t0"), tps("t0", 1, "t0", 5), 3));
        edge("owned partition beyond the partition count, unequal subscriptions", counts("t0", 4, "t1", 2),
            new EM(mid(1), t("t0"), tps("t0", 7, "t0", 0), 3), new EM(mid(2), t("t0", "t1"), tps("t1", 3, "t0", 1), 3));
        edge("duplicate claim, same generation, equal subscriptions", counts("t0", 4),
            new EM(mid(1), t("t0"), tps("t0", 0, "t0", 1), 4), new EM(mid(2), t("t0"), tps("t0", 1, "t0", 2), 4),
            new EM(mid(3), t("t0"), tps("t0", 3), 4));
        edge("duplicate claim, same generation, unequal subscriptions", counts("t0", 4, "t1", 2),
            new EM(mid(1), t("t0"), tps("t0", 0, "t0", 1), 4), new EM(mid(2), t("t0", "t1"), tps("t0", 1, "t1", 0, "t1", 1), 4),
            new EM(mid(3), t("t0"), tps("t0", 3, "t0", 2), 4));
        edge("duplicate claim, different generations (older claim loses)", counts("t0", 4),
            new EM(mid(1), t("t0"), tps("t0", 0, "t0", 1, "t0", 2), 3), new EM(mid(2), t("t0"), tps("t0", 2, "t0", 3), 4));
        edge("duplicate claim, different generations, unequal subscriptions", counts("t0", 4, "t1", 1),
            new EM(mid(1), t("t0", "t1"), tps("t0", 0, "t0", 1, "t1", 0), 5), new EM(mid(2), t("t0"), tps("t0", 1, "t0", 3), 4),
            new EM(mid(3), t("t0"), tps("t0", 2), 3));
        // allSubscriptionsEqual compares a claimant's memberData generation with the other owner's
        // Subscription.generationId() (absent = -1), so old clients' same-generation claims are not seen as a tie
        edge("duplicate claim, same generation in userData, generationId absent", counts("t0", 4),
            new EM(mid(1), t("t0"), tps("t0", 0, "t0", 1), 5).stickyGen(-1).coopGen(-1),
            new EM(mid(2), t("t0"), tps("t0", 1, "t0", 2), 5).stickyGen(-1).coopGen(-1),
            new EM(mid(3), t("t0"), tps("t0", 3), 5).stickyGen(-1).coopGen(-1));
        edge("one member of a higher generation, the others' ownership discarded", counts("t0", 6),
            new EM(mid(1), t("t0"), tps("t0", 0, "t0", 1), 9), new EM(mid(2), t("t0"), tps("t0", 2, "t0", 3), 8),
            new EM(mid(3), t("t0"), tps("t0", 4, "t0", 5), 8));
        String m1 = mid(1);
        String m2 = mid(2);
        edge("sticky: owned partitions without userData (ignored); cooperative: garbage userData, no generation",
            counts("t0", 4),
            new EM(m1, t("t0"), tps("t0", 0, "t0", 1, "t0", 2), 3).stickyUD(null).stickyOwned(tps("t0", 0, "t0", 1, "t0", 2))
                .coopUD(new byte[] {1, 2}).coopGen(-1),
            new EM(m2, t("t0"), tps("t0", 3), 3).stickyUD(new byte[0]).coopUD(null).coopGen(-1));
        Map<String, List<Integer>> v0 = new LinkedHashMap<>();
        v0.put("t1", Arrays.asList(1, 0));
        v0.put("t0", Arrays.asList(2));
        edge("sticky userData version 0 and garbage, mixed with version 1", counts("t0", 3, "t1", 3),
            new EM(mid(1), t("t0", "t1"), tps("t1", 1, "t1", 0, "t0", 2), 2).stickyUD(stickyV0(v0)).stickyGen(-1),
            new EM(mid(2), t("t0", "t1"), tps("t0", 0), 2),
            new EM(mid(3), t("t0", "t1"), tps("t0", 1), 2).stickyUD(new byte[] {0, 0, 0, 9, 0, 1}).coopUD(new byte[] {0, 0, 0}).coopGen(-1));
        edge("cooperative: no generationId, generations from userData, owned unsorted", counts("t0", 3, "t1", 3),
            new EM(mid(1), t("t0", "t1"), tps("t1", 2, "t0", 1, "t1", 0), 4).coopGen(-1).stickyGen(-1),
            new EM(mid(2), t("t0", "t1"), tps("t0", 2, "t0", 0), 4).coopGen(-1).stickyGen(-1),
            new EM(mid(3), t("t0", "t1"), tps("t1", 1), 3).coopGen(-1).stickyGen(-1));
        EM[] statics = new EM[7];
        for (int i = 0; i < 7; i++) {
            String inst = "instance-" + i;
            statics[i] = new EM(inst + "-" + uuid(RND), t("t0"), null, -1).inst(inst);
        }
        edge("seven static members, nothing owned", counts("t0", 16), statics);
        // "Aa" and "BB" (and their concatenations) share a String.hashCode, so HashMap iteration follows put order
        edge("colliding member-id hashes, put in one order", counts("t0", 5),
            new EM("AaAa", t("t0"), null, -1), new EM("BBBB", t("t0"), null, -1), new EM("AaBB", t("t0"), tps("t0", 4), 1),
            new EM("BBAa", t("t0"), null, -1));
        edge("colliding member-id hashes, put in the reverse order", counts("t0", 5),
            new EM("BBAa", t("t0"), null, -1), new EM("AaBB", t("t0"), tps("t0", 4), 1), new EM("BBBB", t("t0"), null, -1),
            new EM("AaAa", t("t0"), null, -1));
        edge("colliding member-id hashes, unequal subscriptions", counts("t0", 5, "t1", 2),
            new EM("BBBB", t("t0"), null, -1), new EM("AaAa", t("t0", "t1"), null, -1), new EM("AaBB", t("t0"), null, -1));
        EM[] many = new EM[14];
        for (int i = 0; i < 14; i++) {
            many[i] = new EM(mid(i + 1), t("t0", "t1"), i < 10 ? tps("t0", i) : null, i < 10 ? 2 : -1);
        }
        edge("fourteen members (HashMap resizes past 12)", counts("t0", 12, "t1", 9), many);
        LinkedHashMap<String, Integer> wide = new LinkedHashMap<>();
        List<String> wideTopics = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            wide.put("topic-" + i, 1 + (i % 3));
            wideTopics.add("topic-" + i);
        }
        edge("fourteen topics (HashMap resizes past 12)", wide,
            new EM(mid(1), wideTopics, tps("topic-13", 0, "topic-2", 2), 5), new EM(mid(2), wideTopics, null, -1),
            new EM(mid(3), wideTopics, tps("topic-7", 1), 5));
        edge("fourteen topics, unequal subscriptions", wide,
            new EM(mid(1), wideTopics, tps("topic-13", 0, "topic-2", 2), 5), new EM(mid(2), wideTopics.subList(0, 9), null, -1),
            new EM(mid(3), wideTopics.subList(5, 14), tps("topic-7", 1), 5));
    }

    // ------------------------------------------------------------------ userData encoding checks

    static void userDataChecks(StringBuilder out) {
        Random r = new Random(SEED ^ 0xDA7AL);
        List<String> lines = new ArrayList<>();
        String[] pool = {"t0", "t1", "t2", "orders", "a.b-c_d", "__proto__", "t10", "Z"};
        int[] gens = {1, 5, 0, 2147483647, 17, 3};
        for (int i = 0; i < 18; i++) {
            List<TopicPartition> parts = new ArrayList<>();
            if (i == 0) {
                // empty assignment: encodes an empty array
            } else if (i == 1) {
                parts = tps("t0", 2, "t1", 0);
            } else {
                int nt = 1 + r.nextInt(i < 6 ? 2 : 5);
                List<String> names = new ArrayList<>(Arrays.asList(pool));
                Collections.shuffle(names, r);
                for (int k = 0; k < nt; k++) {
                    int np = 1 + r.nextInt(5);
                    for (int p = 0; p < np; p++) parts.add(tp(names.get(k), r.nextInt(12)));
                }
                if (i % 3 != 0) Collections.shuffle(parts, r); // interleave topics: Java regroups them by topic
            }
            int gen = i == 17 ? -1 : gens[i % gens.length];
            lines.add(udLine(STICKY, parts, gen, stickyUserData(parts, gen, "m", t())));
        }
        lines.add(udLine(STICKY, null, null, stickyUserData(null, -1, "m", t())));
        int[] cgens = {1, 5, 0, -1, 2147483647, 256, 65537, -2, 42, 1000};
        for (int g : cgens) {
            List<TopicPartition> parts = tps("t0", r.nextInt(4), "t1", r.nextInt(4));
            lines.add(udLine(COOP, parts, g, coopUserData(parts, g, "m", t())));
        }
        lines.add(udLine(COOP, null, null, coopUserData(null, -1, "m", t())));
        out.append(String.join(",\n", lines));
    }

    static String udLine(String assignor, List<TopicPartition> parts, Integer gen, byte[] hex) {
        return "    {\"assignor\":" + str(assignor) + ",\"partitions\":" + (parts == null ? "null" : tps(parts))
            + ",\"generation\":" + (gen == null ? "null" : gen.toString()) + ",\"hex\":" + hex(hex) + "}";
    }

    public static void main(String[] args) {
        PrintStream stdout = System.out;
        System.setOut(System.err); // anything else that prints goes to stderr; stdout carries only the JSON
        int scenarios = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        for (int s = 1; s <= scenarios; s++) {
            List<Snap> snaps = plan(s);
            execute(s, snaps, STICKY);
            execute(s, snaps, COOP);
        }
        edges();
        StringBuilder ud = new StringBuilder();
        userDataChecks(ud);
        StringBuilder json = new StringBuilder();
        json.append("{\n  \"generatedBy\": \"spec/support/java/AssignorTable.java via scripts/assignor-table.js\",\n");
        json.append("  \"kafkaClients\": \"4.4.0\",\n");
        json.append("  \"seed\": ").append(SEED).append(",\n");
        json.append("  \"cases\": [\n").append(CASES).append("\n  ],\n");
        json.append("  \"userData\": [\n").append(ud).append("\n  ]\n}\n");
        byte[] out = json.toString().getBytes(StandardCharsets.UTF_8);
        stdout.write(out, 0, out.length);
        stdout.flush();
    }
}
