// @ts-check
/**
 * A secured single-node Kafka (KRaft) for the security tests and `node broker/cli.js start --secured`:
 *
 *   PLAINTEXT  setup/readiness listener (principal ANONYMOUS, a super user: tests create topics and produce here)
 *   SSL        TLS with client certificates required (mTLS); the certificate's CN is the principal
 *   TLS        TLS without client certificates (server verification only; principal ANONYMOUS, like PLAINTEXT)
 *   SASL_SSL   TLS + SASL PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER (unsecured JWTs: `alg: none`, `sub`)
 *   EXPIRED    TLS whose server certificate expired in 2020 (same CA), for the client's expiry check
 *
 * Certificates come from the machine's openssl, signed by a throwaway CA made per broker in its temp dir (nothing is
 * committed). SCRAM users are created at format time (`StorageTool format --add-scram`), PLAIN users live in the
 * listener's JAAS config, and ACLs are enforced by KRaft's StandardAuthorizer, written by the super user `admin`
 * through Kafka's own Admin client (a one-file Java program run from the jar dir):
 *
 *   alice  READ+DESCRIBE on topics prefixed `allowed-`, DESCRIBE only on topics prefixed `describe-only-`,
 *          READ on groups prefixed `allowed-`
 *   bob    READ+DESCRIBE on topics prefixed `allowed-`, no group at all
 *
 *   const secured = await startSecuredBroker({ password: 'S3ntinel-pa55-XYZ' });
 *   ... secured.listeners.saslSsl, secured.certs.ca ...
 *   await secured.stop();
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { startCluster, stopCluster, tail } = require('./kafka-broker');

/** The users every secured broker knows; each has the password given to `startSecuredBroker`. */
const USERS = /** @type {const} */ (['admin', 'alice', 'bob']);
const TOPIC_PREFIX = 'allowed-';
const DESCRIBE_ONLY_PREFIX = 'describe-only-';
const GROUP_PREFIX = 'allowed-';

/**
 * @typedef {{ ca: string, caKey: string, brokerKeystore: string, aliceCert: string, aliceKey: string, expiredClientCert: string, expiredClientKey: string, untrustedCa: string }} CertPaths
 * @typedef {{ plaintext: string, ssl: string, tls: string, saslSsl: string, expired: string }} Listeners
 * @typedef {{ cluster: import('./kafka-broker').KafkaCluster, listeners: Listeners, certs: CertPaths, password: string, users: typeof USERS, topicPrefix: string, describeOnlyPrefix: string, groupPrefix: string, stop: () => Promise<void> }} SecuredBroker
 */

/** @param {string} cwd @param {string[]} args */
function openssl(cwd, args) {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed (exit ${r.status}): ${r.stderr}`);
}

/** An EC P-256 key (unencrypted PKCS#8) and a CSR for `cn`. @param {string} dir @param {string} name @param {string} cn */
function keyAndCsr(dir, name, cn) {
  openssl(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
}

/** A self-signed CA certificate. @param {string} dir @param {string} name @param {string} cn */
function makeCa(dir, name, cn) {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '3', '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

/**
 * Signs `name.csr` with the CA through `openssl ca`, which (unlike `x509 -req` on OpenSSL 3.0) takes explicit start
 * and end dates: an expired certificate is one whose window lies in the past.
 * @param {string} dir @param {string} name @param {string} extensions @param {{ start?: string, end?: string }} [window]
 */
function sign(dir, name, extensions, window = {}) {
  const cnf = path.join(dir, 'ca.cnf');
  if (!fs.existsSync(cnf)) {
    fs.writeFileSync(path.join(dir, 'index.txt'), '');
    fs.writeFileSync(path.join(dir, 'serial'), '1000\n');
    fs.mkdirSync(path.join(dir, 'issued'));
    fs.writeFileSync(
      cnf,
      [
        '[ca]', 'default_ca = test_ca',
        '[test_ca]', 'dir = .', 'database = index.txt', 'serial = serial', 'new_certs_dir = issued', 'certificate = ca.pem', 'private_key = ca.key',
        'default_md = sha256', 'policy = any', 'unique_subject = no', 'default_days = 3',
        '[any]', 'commonName = supplied',
        '[server]', 'basicConstraints = CA:FALSE', 'keyUsage = digitalSignature', 'extendedKeyUsage = serverAuth', 'subjectAltName = IP:127.0.0.1,DNS:localhost',
        '[client]', 'basicConstraints = CA:FALSE', 'keyUsage = digitalSignature', 'extendedKeyUsage = clientAuth',
      ].join('\n') + '\n',
    );
  }
  const dates = [...(window.start ? ['-startdate', window.start] : []), ...(window.end ? ['-enddate', window.end] : [])];
  openssl(dir, ['ca', '-batch', '-notext', '-config', 'ca.cnf', '-extensions', extensions, ...dates, '-in', `${name}.csr`, '-out', `${name}.pem`]);
}

/** Every certificate the tests use, in `dir/certs`. @param {string} dir @returns {CertPaths} */
function makeCerts(dir) {
  const d = path.join(dir, 'certs');
  fs.mkdirSync(d, { recursive: true });
  makeCa(d, 'ca', 'rx-kafka-cluster throwaway test CA');
  keyAndCsr(d, 'broker', 'localhost');
  sign(d, 'broker', 'server');
  keyAndCsr(d, 'expired-broker', 'localhost');
  sign(d, 'expired-broker', 'server', { start: '20200101000000Z', end: '20200102000000Z' });
  keyAndCsr(d, 'alice', 'alice');
  sign(d, 'alice', 'client');
  keyAndCsr(d, 'expired-alice', 'alice');
  sign(d, 'expired-alice', 'client', { start: '20200101000000Z', end: '20200102000000Z' });
  // A CA nobody trusts: its name matches ours, its key does not.
  makeCa(d, 'untrusted-ca', 'rx-kafka-cluster throwaway test CA');
  const read = (/** @type {string} */ f) => fs.readFileSync(path.join(d, f), 'utf8');
  // Kafka's PEM key store: the private key (unencrypted PKCS#8) followed by the certificate chain.
  fs.writeFileSync(path.join(d, 'broker-keystore.pem'), read('broker.key') + read('broker.pem') + read('ca.pem'));
  fs.writeFileSync(path.join(d, 'expired-keystore.pem'), read('expired-broker.key') + read('expired-broker.pem') + read('ca.pem'));
  const p = (/** @type {string} */ f) => path.join(d, f);
  return {
    ca: p('ca.pem'),
    caKey: p('ca.key'),
    brokerKeystore: p('broker-keystore.pem'),
    aliceCert: p('alice.pem'),
    aliceKey: p('alice.key'),
    expiredClientCert: p('expired-alice.pem'),
    expiredClientKey: p('expired-alice.key'),
    untrustedCa: p('untrusted-ca.pem'),
  };
}

/** Broker properties for the secured listeners. @param {CertPaths} certs @param {string} password @param {string} certDir */
function securityOverrides(certs, password, certDir) {
  const plainUsers = USERS.map((u) => `user_${u}="${password}"`).join(' ');
  return {
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': certs.brokerKeystore,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': certs.ca,
    'ssl.endpoint.identification.algorithm': '',
    'listener.name.ssl.ssl.client.auth': 'required',
    'listener.name.expired.ssl.keystore.location': path.join(certDir, 'expired-keystore.pem'),
    'ssl.principal.mapping.rules': 'RULE:^CN=([^,]+).*$/$1/,DEFAULT',
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER',
    'listener.name.sasl_ssl.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${password}" ${plainUsers};`,
    'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.sasl_ssl.oauthbearer.sasl.jaas.config': 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="admin";',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': 'User:admin;User:ANONYMOUS',
    'allow.everyone.if.no.acl.found': false,
  };
}

/** The ACL writer: Kafka's Admin client as the PLAINTEXT (super user) principal. */
const ACLS_JAVA = `
import java.util.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.common.acl.*;
import org.apache.kafka.common.resource.*;

public class Acls {
  static AclBinding allow(ResourceType type, String prefix, String user, AclOperation op) {
    return new AclBinding(new ResourcePattern(type, prefix, PatternType.PREFIXED),
      new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
  }
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", args[0]);
    try (Admin admin = Admin.create(p)) {
      List<AclBinding> acls = List.of(
        allow(ResourceType.TOPIC, args[1], "alice", AclOperation.READ),
        allow(ResourceType.TOPIC, args[1], "alice", AclOperation.DESCRIBE),
        allow(ResourceType.TOPIC, args[2], "alice", AclOperation.DESCRIBE),
        allow(ResourceType.GROUP, args[3], "alice", AclOperation.READ),
        allow(ResourceType.TOPIC, args[1], "bob", AclOperation.READ),
        allow(ResourceType.TOPIC, args[1], "bob", AclOperation.DESCRIBE));
      admin.createAcls(acls).all().get();
      System.out.println("acls " + acls.size());
    }
  }
}
`;

/** Writes the ACLs (java's single-file source launcher, classpath = the Kafka jars). @param {import('./kafka-broker').KafkaCluster} cluster */
function createAcls(cluster) {
  const source = path.join(cluster.dir, 'Acls.java');
  fs.writeFileSync(source, ACLS_JAVA);
  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const r = spawnSync(java, ['-Xmx128m', `-Dlog4j2.configurationFile=${path.join(cluster.dir, 'log4j2.properties')}`, '-cp', `${cluster.libs}/*`, source, cluster.bootstrap, TOPIC_PREFIX, DESCRIBE_ONLY_PREFIX, GROUP_PREFIX], {
    encoding: 'utf8',
    timeout: 120000,
  });
  if (r.status !== 0) throw new Error(`creating ACLs failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
}

/**
 * Starts a secured broker (see the file comment). Every user's password is `password`.
 * @param {{ password: string, detached?: boolean, heapMb?: number }} opts
 * @returns {Promise<SecuredBroker>}
 */
async function startSecuredBroker(opts) {
  const { password } = opts;
  if (!/^[A-Za-z0-9._-]+$/.test(password)) throw new Error('startSecuredBroker: the password must be [A-Za-z0-9._-] (it goes into JAAS and StorageTool arguments)');
  const certRoot = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'rx-kafka-certs-'));
  /** @type {import('./kafka-broker').KafkaCluster | undefined} */
  let cluster;
  try {
    const certs = makeCerts(certRoot);
    const scram = USERS.flatMap((u) => ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => ['--add-scram', `${m}=[name=${u},password=${password}]`]));
    cluster = await startCluster({
      nodes: 1,
      detached: opts.detached,
      heapMb: opts.heapMb,
      listeners: [
        { name: 'SSL', protocol: 'SSL' },
        { name: 'TLS', protocol: 'SSL' },
        { name: 'SASL_SSL', protocol: 'SASL_SSL' },
        { name: 'EXPIRED', protocol: 'SSL' },
      ],
      formatArgs: scram,
      overrides: securityOverrides(certs, password, path.join(certRoot, 'certs')),
    });
    const c = cluster;
    try {
      createAcls(c);
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\n--- broker log (tail) ---\n${tail(c.nodes[0]?.log ?? '')}`);
    }
    const node = c.nodes[0];
    const ports = (node && node.listenerPorts) || {};
    return {
      cluster: c,
      listeners: {
        plaintext: c.bootstrap,
        ssl: `127.0.0.1:${ports.SSL}`,
        tls: `127.0.0.1:${ports.TLS}`,
        saslSsl: `127.0.0.1:${ports.SASL_SSL}`,
        expired: `127.0.0.1:${ports.EXPIRED}`,
      },
      certs,
      password,
      users: USERS,
      topicPrefix: TOPIC_PREFIX,
      describeOnlyPrefix: DESCRIBE_ONLY_PREFIX,
      groupPrefix: GROUP_PREFIX,
      stop: async () => {
        await stopCluster(c);
        fs.rmSync(certRoot, { recursive: true, force: true });
      },
    };
  } catch (e) {
    if (cluster) await stopCluster(cluster);
    fs.rmSync(certRoot, { recursive: true, force: true });
    throw e;
  }
}

module.exports = { startSecuredBroker, USERS, TOPIC_PREFIX, DESCRIBE_ONLY_PREFIX, GROUP_PREFIX };
