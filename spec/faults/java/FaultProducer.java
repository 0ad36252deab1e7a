import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The fault suite's producer (spec/faults/java-fault-producer.ts drives it): numbered payloads "{prefix}-{n}" to
 * partition n % partitions, acks=all, idempotent, `perTick` every `everyMs` until a "stop" line (or EOF) on stdin;
 * then it flushes, closes and exits 0. Prints "a {n}" when record n is acknowledged, "f {n} {error}" when it failed
 * for good (never counted as produced), "done" at the end.
 * Args: bootstrap topic partitions prefix perTick everyMs.
 */
public final class FaultProducer {
  public static void main(String[] args) throws Exception {
    String topic = args[1];
    int partitions = Integer.parseInt(args[2]);
    String prefix = args[3];
    int perTick = Integer.parseInt(args[4]);
    long everyMs = Long.parseLong(args[5]);
    Properties p = new Properties();
    p.put("bootstrap.servers", args[0]);
    p.put("acks", "all");
    p.put("enable.idempotence", "true");
    p.put("linger.ms", "5");
    p.put("delivery.timeout.ms", "300000");
    p.put("request.timeout.ms", "10000");
    p.put("key.serializer", ByteArraySerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    AtomicBoolean stop = new AtomicBoolean(false);
    Thread stdin = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null && !line.trim().equals("stop")) { /* wait */ }
      } catch (Exception e) { /* EOF or closed: stop */ }
      stop.set(true);
    });
    stdin.setDaemon(true);
    stdin.start();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      long n = 0;
      while (!stop.get()) {
        for (int i = 0; i < perTick; i++, n++) {
          final long id = n;
          byte[] value = (prefix + "-" + id).getBytes(StandardCharsets.UTF_8);
          producer.send(new ProducerRecord<>(topic, (int) (id % partitions), null, value), (md, e) -> {
            synchronized (out) {
              if (e == null) out.println("a " + id);
              else out.println("f " + id + " " + e.getClass().getSimpleName());
              out.flush();
            }
          });
        }
        Thread.sleep(everyMs);
      }
      producer.flush();
    }
    synchronized (out) {
      out.println("done");
      out.flush();
    }
    System.exit(0);
  }
}
