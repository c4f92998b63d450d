package io.prombeam.source;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import okhttp3.Credentials;

/** The receiver's check of a sender's credentials, in constant time. */
final class ReceiverAuth {
  private ReceiverAuth() {}

  /** Whether {@code authorization} (the header, maybe null) is what {@code limits} require. */
  static boolean allows(ReceiverLimits limits, String authorization) {
    String expected = null;
    if (limits.basicAuthUser != null) {
      expected =
          Credentials.basic(
              limits.basicAuthUser, limits.basicAuthPassword.reveal(), StandardCharsets.UTF_8);
    } else if (limits.bearerToken != null) {
      expected = "Bearer " + limits.bearerToken.reveal();
    }
    if (expected == null) {
      return true;
    }
    byte[] given =
        (authorization == null ? "" : authorization.trim()).getBytes(StandardCharsets.UTF_8);
    // MessageDigest.isEqual takes time independent of where the bytes differ
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given);
  }
}
