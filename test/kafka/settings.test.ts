import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { isSluiceError } from '../../src/errors.ts';
import { jaasOptions, securityOptions } from '../../src/kafka/security.ts';
import { consumerSettings, producerSettings } from '../../src/kafka/settings.ts';
import { makeCerts } from '../avro-rpc/certs.ts';

const certs = makeCerts();
after(() => certs.remove());

test('consumer settings start from the Java client defaults Flume runs with', () => {
  const { settings, ignored } = consumerSettings({});
  assert.deepEqual(ignored, []);
  assert.equal(settings.sessionTimeout, 10_000);
  assert.equal(settings.maxWaitTime, 500);
  assert.equal(settings.isolationLevel, 0);
  assert.equal(settings.autoOffsetReset, 'latest');
  assert.equal(settings.tls, undefined);
  assert.equal(settings.sasl, undefined);
});

test('consumer properties the client supports are mapped to its options', () => {
  const { settings, ignored } = consumerSettings({
    'session.timeout.ms': '6000',
    'heartbeat.interval.ms': '1000',
    'max.poll.interval.ms': '30000',
    'fetch.max.wait.ms': '100',
    'max.partition.fetch.bytes': '2097152',
    'isolation.level': 'read_committed',
    'auto.offset.reset': 'earliest',
    'client.id': 'collector-7',
    'group.instance.id': 'c7',
  });
  assert.deepEqual(ignored, []);
  assert.equal(settings.sessionTimeout, 6000);
  assert.equal(settings.heartbeatInterval, 1000);
  assert.equal(settings.rebalanceTimeout, 30000);
  assert.equal(settings.maxWaitTime, 100);
  assert.equal(settings.maxBytesPerPartition, 2097152);
  assert.equal(settings.isolationLevel, 1);
  assert.equal(settings.autoOffsetReset, 'earliest');
  assert.equal(settings.clientId, 'collector-7');
  assert.equal(settings.groupInstanceId, 'c7');
});

test('unsupported keys and overridden Flume-forced values are each reported by key, with the reason', () => {
  const { ignored } = consumerSettings({
    'partition.assignment.strategy': 'org.apache.kafka.clients.consumer.RangeAssignor',
    'enable.auto.commit': 'true',
    'value.deserializer': 'org.apache.kafka.common.serialization.StringDeserializer',
    'group.id': 'ignored-here',
  });
  assert.deepEqual(
    ignored.map((i) => i.key),
    ['kafka.consumer.partition.assignment.strategy', 'kafka.consumer.enable.auto.commit', 'kafka.consumer.value.deserializer'],
  );
  assert.match(ignored[0]!.why, /not supported by Sluice's Kafka client/);
  assert.equal(ignored[1]!.why, 'has no effect with value "true": offsets are committed only once the events are delivered');
  // What Flume forces anyway is silent.
  assert.deepEqual(consumerSettings({ 'enable.auto.commit': 'false' }).ignored, []);
});

test('a bad value is refused with the full key and what was expected', () => {
  assert.throws(
    () => consumerSettings({ 'session.timeout.ms': 'ten' }),
    (err) => isSluiceError(err, 'SLUICE_CONFIG_BAD_VALUE') && err.message === 'kafka.consumer.session.timeout.ms = "ten": expected an integer ≥ 1.',
  );
  assert.throws(() => consumerSettings({ 'auto.offset.reset': 'smallest' }), /expected one of earliest, latest, none/);
  assert.throws(() => producerSettings({ 'enable.idempotence': 'yes' }), /kafka\.producer\.enable\.idempotence = "yes": expected true or false/);
});

test('producer settings map idempotence, in-flight requests and request size, and warn about batching keys', () => {
  const { settings, ignored } = producerSettings({
    'enable.idempotence': 'true',
    'max.in.flight.requests.per.connection': '1',
    'max.request.size': '2097152',
    'linger.ms': '5',
    acks: 'all',
  });
  assert.equal(settings.idempotent, true);
  assert.equal(settings.maxInflights, 1);
  assert.equal(settings.maxRequestSize, 2097152);
  assert.deepEqual(ignored, [{ key: 'kafka.producer.linger.ms', why: 'has no effect with value "5": each channel batch is sent as it is taken' }]);
});

test('jaasOptions reads quoted options and undoes backslash escapes', () => {
  const jaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="p\\"w;d";';
  assert.deepEqual(jaasOptions(jaas), { username: 'alice', password: 'p"w;d' });
});

test('SASL_PLAINTEXT with PLAIN or SCRAM gives SASL options and no TLS', () => {
  for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']) {
    const s = securityOptions(
      { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': mechanism, 'sasl.jaas.config': 'X required username="u" password="p";' },
      'kafka.consumer.',
    );
    assert.deepEqual(s.sasl, { mechanism, username: 'u', password: 'p' });
    assert.equal(s.tls, undefined);
  }
});

test('SASL without a supported mechanism or without credentials is refused', () => {
  assert.throws(
    () => securityOptions({ 'security.protocol': 'SASL_SSL' }, 'kafka.producer.'),
    (err) => isSluiceError(err, 'SLUICE_CONFIG_BAD_VALUE') && /kafka\.producer\.sasl\.mechanism = "GSSAPI"/.test(err.message),
  );
  assert.throws(
    () => securityOptions({ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN' }, 'kafka.consumer.'),
    (err) => isSluiceError(err, 'SLUICE_CONFIG_MISSING_KEY') && /sasl\.jaas\.config must give username/.test(err.message),
  );
  assert.throws(() => securityOptions({ 'security.protocol': 'TLS' }, 'kafka.consumer.'), /expected one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL/);
});

test('SSL reads a PEM truststore and a PKCS12 keystore, and hostname checks follow Java and Flume 1.11 keys', () => {
  const s = securityOptions(
    {
      'security.protocol': 'SSL',
      'ssl.truststore.location': certs.localhostCert,
      'ssl.keystore.location': certs.localhostP12,
      'ssl.keystore.password': 'secret',
    },
    'kafka.consumer.',
  );
  assert.ok(Buffer.isBuffer(s.tls?.ca));
  assert.ok(Buffer.isBuffer(s.tls?.pfx));
  assert.equal(s.tls?.passphrase, 'secret');
  assert.equal(s.tls?.checkServerIdentity, undefined);
  const noHost = securityOptions({ 'security.protocol': 'SSL', 'ssl.endpoint.identification.algorithm': '' }, 'p.');
  assert.equal(noHost.tls?.checkServerIdentity?.('x', {} as never), undefined);
  const flume = securityOptions({ 'security.protocol': 'SSL', 'ssl.disableTLSHostnameVerification': 'true' }, 'p.');
  assert.equal(typeof flume.tls?.checkServerIdentity, 'function');
});

test('a JKS truststore is refused with the command that converts it', () => {
  assert.throws(
    () => securityOptions({ 'security.protocol': 'SSL', 'ssl.truststore.location': certs.jks }, 'kafka.consumer.'),
    (err) => isSluiceError(err, 'SLUICE_CONFIG_UNSUPPORTED') && /JKS/.test(err.message) && /keytool/.test(err.message),
  );
});
