package io.prombeam.http;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.joda.time.Duration;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** HTTPS with a private CA, and mutual TLS with a client certificate, from PEM files. */
public class TlsTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private HeldCertificate ca;
  private HeldCertificate serverCert;
  private MockWebServer server;

  @Before
  public void setUp() throws Exception {
    String host = InetAddress.getLoopbackAddress().getCanonicalHostName();
    ca =
        new HeldCertificate.Builder()
            .certificateAuthority(0)
            .commonName("prombeam test CA")
            .build();
    serverCert =
        new HeldCertificate.Builder()
            .addSubjectAlternativeName(host)
            .addSubjectAlternativeName("localhost")
            .addSubjectAlternativeName("127.0.0.1")
            .signedBy(ca)
            .build();
    server = new MockWebServer();
  }

  @After
  public void tearDown() throws Exception {
    server.shutdown();
  }

  private Path write(String name, String pem) throws Exception {
    Path p = tmp.getRoot().toPath().resolve(name);
    Files.writeString(p, pem);
    return p;
  }

  private SendOutcome send(HttpEndpoint endpoint) throws InterruptedException {
    RetryingHttpSender sender =
        new RetryingHttpSender(endpoint, RetryPolicy.forSinks().withMaxRetries(0));
    RequestBody body = RequestBody.create(new byte[] {1}, MediaType.get("application/x-protobuf"));
    return sender.send(() -> endpoint.newRequest().post(body).build(), (s, r, d) -> {});
  }

  @Test
  public void trustsAPrivateCaFromAPemFile() throws Exception {
    server.useHttps(
        new HandshakeCertificates.Builder().heldCertificate(serverCert).build().sslSocketFactory(),
        false);
    server.enqueue(new MockResponse().setResponseCode(204));
    server.start();
    Path caFile = write("ca.pem", ca.certificatePem());
    HttpEndpoint endpoint =
        HttpEndpoint.create()
            .withUrl(server.url("/api/v1/write").toString())
            .withTlsCaFile(caFile.toString())
            .withTimeout(Duration.standardSeconds(5));
    SendOutcome out = send(endpoint);
    assertTrue(out.toString(), out.success());
    assertEquals("https", server.takeRequest().getRequestUrl().scheme());
  }

  @Test
  public void refusesAServerSignedByAnUnknownCa() throws Exception {
    server.useHttps(
        new HandshakeCertificates.Builder().heldCertificate(serverCert).build().sslSocketFactory(),
        false);
    server.start();
    HeldCertificate otherCa = new HeldCertificate.Builder().certificateAuthority(0).build();
    HttpEndpoint endpoint =
        HttpEndpoint.create()
            .withUrl(server.url("/api/v1/write").toString())
            .withTlsCaFile(write("other.pem", otherCa.certificatePem()).toString())
            .withTimeout(Duration.standardSeconds(5));
    SendOutcome out = send(endpoint);
    assertFalse(out.success());
    assertEquals(0, out.status());
  }

  @Test
  public void presentsAClientCertificateForMutualTls() throws Exception {
    HeldCertificate client =
        new HeldCertificate.Builder().commonName("prombeam-client").signedBy(ca).build();
    HandshakeCertificates serverSide =
        new HandshakeCertificates.Builder()
            .heldCertificate(serverCert)
            .addTrustedCertificate(ca.certificate())
            .build();
    server.useHttps(serverSide.sslSocketFactory(), false);
    server.requireClientAuth();
    server.enqueue(new MockResponse().setResponseCode(204));
    server.start();
    HttpEndpoint endpoint =
        HttpEndpoint.create()
            .withUrl(server.url("/api/v1/write").toString())
            .withTlsCaFile(write("ca2.pem", ca.certificatePem()).toString())
            .withTlsClientCertificate(
                write("client.pem", client.certificatePem()).toString(),
                write("client.key", client.privateKeyPkcs8Pem()).toString())
            .withTimeout(Duration.standardSeconds(5));
    SendOutcome out = send(endpoint);
    assertTrue(out.toString(), out.success());
    RecordedRequest rec = server.takeRequest();
    assertEquals(
        "CN=prombeam-client",
        ((java.security.cert.X509Certificate) rec.getHandshake().peerCertificates().get(0))
            .getSubjectX500Principal()
            .getName());
  }
}
