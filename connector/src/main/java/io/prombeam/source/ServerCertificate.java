package io.prombeam.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.checkerframework.checker.nullness.qual.Nullable;

/** The receiver's TLS identity, read from PEM files with OkHttp's own PEM support. */
final class ServerCertificate {
  private static final Pattern CERT =
      Pattern.compile("-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", Pattern.DOTALL);
  private static final Pattern KEY =
      Pattern.compile("-----BEGIN PRIVATE KEY-----.+?-----END PRIVATE KEY-----", Pattern.DOTALL);

  private ServerCertificate() {}

  /** An SSL context presenting the certificate, its PKCS#8 key in {@code keyFile} or after it. */
  static SSLContext sslContext(String certFile, @Nullable String keyFile) {
    String pem = read(certFile) + (keyFile == null ? "" : "\n" + read(keyFile));
    Matcher c = CERT.matcher(pem);
    Matcher k = KEY.matcher(pem);
    if (!c.find() || !k.find()) {
      throw new IllegalArgumentException(
          "receiver TLS needs a PEM certificate and a PKCS#8 key (-----BEGIN PRIVATE KEY-----) in "
              + certFile
              + (keyFile == null ? "" : " / " + keyFile));
    }
    HeldCertificate held = HeldCertificate.decode(c.group() + "\n" + k.group() + "\n");
    return new HandshakeCertificates.Builder().heldCertificate(held).build().sslContext();
  }

  private static String read(String path) {
    try {
      return Files.readString(Path.of(path), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read receiver TLS file " + path, e);
    }
  }
}
