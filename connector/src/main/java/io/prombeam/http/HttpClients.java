package io.prombeam.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.tls.Certificates;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * One OkHttp client per distinct TLS/timeout setting per JVM, so that every DoFn instance on a
 * worker shares connection pools instead of opening its own. TLS material is read with OkHttp's own
 * PEM support (okhttp-tls).
 */
final class HttpClients {
  private static final OkHttpClient ROOT =
      new OkHttpClient.Builder()
          .connectionPool(new ConnectionPool(64, 5, TimeUnit.MINUTES))
          .dispatcher(new Dispatcher())
          .retryOnConnectionFailure(false) // retries are ours: counted, backed off, reported
          .socketFactory(new NoDelaySocketFactory())
          .build();

  private static final Map<Key, OkHttpClient> CLIENTS = new ConcurrentHashMap<>();

  private HttpClients() {}

  /**
   * The client for {@code e}: shared per TLS and timeout setting; with an {@link
   * HttpEndpoint#authenticator()}, a view of it (same pools) that runs the authenticator.
   */
  public static OkHttpClient forEndpoint(HttpEndpoint e) {
    Key key =
        new Key(
            e.tlsCaFile(), e.tlsClientCertFile(), e.tlsClientKeyFile(), e.timeout().getMillis());
    OkHttpClient shared = CLIENTS.computeIfAbsent(key, HttpClients::build);
    return e.authenticator() == null
        ? shared
        : shared
            .newBuilder()
            .addInterceptor(new AuthenticatingInterceptor(e.authenticator()))
            .build();
  }

  private static OkHttpClient build(Key k) {
    OkHttpClient.Builder b =
        ROOT.newBuilder()
            .connectTimeout(k.timeoutMillis, TimeUnit.MILLISECONDS)
            .readTimeout(k.timeoutMillis, TimeUnit.MILLISECONDS)
            .writeTimeout(k.timeoutMillis, TimeUnit.MILLISECONDS)
            .callTimeout(k.timeoutMillis, TimeUnit.MILLISECONDS);
    if (k.caFile != null || k.certFile != null) {
      HandshakeCertificates.Builder hb = new HandshakeCertificates.Builder();
      if (k.caFile != null) {
        for (X509Certificate ca : readCertificates(k.caFile)) {
          hb.addTrustedCertificate(ca);
        }
      } else {
        hb.addPlatformTrustedCertificates();
      }
      if (k.certFile != null) {
        String pem = read(k.certFile) + (k.keyFile != null ? "\n" + read(k.keyFile) : "");
        List<X509Certificate> chain = readCertificates(k.certFile);
        HeldCertificate held = HeldCertificate.decode(onlyFirstCertificateAndKey(pem, k.certFile));
        hb.heldCertificate(held, chain.subList(1, chain.size()).toArray(new X509Certificate[0]));
      }
      HandshakeCertificates hc = hb.build();
      b.sslSocketFactory(hc.sslSocketFactory(), hc.trustManager());
    }
    return b.build();
  }

  private static final Pattern CERT =
      Pattern.compile("-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", Pattern.DOTALL);
  private static final Pattern KEY =
      Pattern.compile("-----BEGIN PRIVATE KEY-----.+?-----END PRIVATE KEY-----", Pattern.DOTALL);

  static List<X509Certificate> readCertificates(String path) {
    Matcher m = CERT.matcher(read(path));
    List<X509Certificate> out = new ArrayList<>();
    while (m.find()) {
      out.add(Certificates.decodeCertificatePem(m.group()));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no PEM certificate in " + path);
    }
    return out;
  }

  /** HeldCertificate.decode wants exactly one certificate and one PKCS#8 key. */
  private static String onlyFirstCertificateAndKey(String pem, String certPath) {
    Matcher c = CERT.matcher(pem);
    Matcher k = KEY.matcher(pem);
    if (!c.find()) {
      throw new IllegalArgumentException("no PEM certificate in " + certPath);
    }
    if (!k.find()) {
      throw new IllegalArgumentException(
          "no PKCS#8 private key (-----BEGIN PRIVATE KEY-----) for client certificate " + certPath);
    }
    return c.group() + "\n" + k.group() + "\n";
  }

  private static String read(String path) {
    try {
      return Files.readString(Path.of(path), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read TLS file " + path, e);
    }
  }

  private static final class Key {
    final String caFile;
    final String certFile;
    final String keyFile;
    final long timeoutMillis;

    Key(String caFile, String certFile, String keyFile, long timeoutMillis) {
      this.caFile = caFile;
      this.certFile = certFile;
      this.keyFile = keyFile;
      this.timeoutMillis = timeoutMillis;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key)) {
        return false;
      }
      Key k = (Key) o;
      return Objects.equals(caFile, k.caFile)
          && Objects.equals(certFile, k.certFile)
          && Objects.equals(keyFile, k.keyFile)
          && timeoutMillis == k.timeoutMillis;
    }

    @Override
    public int hashCode() {
      return Objects.hash(caFile, certFile, keyFile, timeoutMillis);
    }
  }
}
