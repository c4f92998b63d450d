package io.prombeam.it;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.mindrot.jbcrypt.BCrypt;

/**
 * What a Prometheus-family server's {@code --web.config.file} needs for TLS with a self-signed CA
 * and basic auth: a fresh CA, a server certificate for 127.0.0.1 signed by it, one user with a
 * random password stored as a bcrypt hash, and the {@code web.yml} naming them.
 */
final class WebSecurity {
  final String user = "beam-writer";
  final String password;
  private final HeldCertificate ca;
  private final HeldCertificate server;
  private Path dir;

  WebSecurity() {
    byte[] random = new byte[12];
    new SecureRandom().nextBytes(random);
    password = "pw-" + HexFormat.of().formatHex(random);
    ca = new HeldCertificate.Builder().certificateAuthority(0).commonName("prombeam IT CA").build();
    server =
        new HeldCertificate.Builder()
            .commonName("127.0.0.1")
            .addSubjectAlternativeName("127.0.0.1")
            .addSubjectAlternativeName("localhost")
            .signedBy(ca)
            .build();
  }

  /** Writes ca.pem, server.pem, server.key and web.yml into {@code dir}; returns web.yml. */
  Path writeTo(Path dir) throws IOException {
    this.dir = dir;
    Files.writeString(dir.resolve("ca.pem"), ca.certificatePem(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("server.pem"), server.certificatePem(), StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve("server.key"), server.privateKeyPkcs8Pem(), StandardCharsets.UTF_8);
    // cost 4: the server checks the hash on every request; strength is not what this test is about
    String hash = BCrypt.hashpw(password, BCrypt.gensalt(4));
    Path web = dir.resolve("web.yml");
    Files.writeString(
        web,
        "tls_server_config:\n"
            + "  cert_file: "
            + dir.resolve("server.pem")
            + "\n"
            + "  key_file: "
            + dir.resolve("server.key")
            + "\n"
            + "basic_auth_users:\n"
            + "  "
            + user
            + ": '"
            + hash
            + "'\n",
        StandardCharsets.UTF_8);
    return web;
  }

  /** The CA certificate file, as a user passes it to {@code withTlsCaFile}. */
  String caFile() {
    return dir.resolve("ca.pem").toString();
  }

  /** A client trusting the CA; with the credentials when {@code authenticated}. */
  OkHttpClient client(boolean authenticated) {
    HandshakeCertificates trust =
        new HandshakeCertificates.Builder().addTrustedCertificate(ca.certificate()).build();
    OkHttpClient.Builder b =
        new OkHttpClient.Builder()
            .readTimeout(Duration.ofSeconds(60))
            .sslSocketFactory(trust.sslSocketFactory(), trust.trustManager());
    if (authenticated) {
      String header = Credentials.basic(user, password);
      b.addInterceptor(
          chain ->
              chain.proceed(chain.request().newBuilder().header("Authorization", header).build()));
    }
    return b.build();
  }

  static String loopback() {
    return InetAddress.getLoopbackAddress().getHostAddress();
  }
}
