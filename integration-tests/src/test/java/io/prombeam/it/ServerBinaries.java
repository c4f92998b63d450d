package io.prombeam.it;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Finds the server binaries the tests start, failing with how to install a missing one. */
final class ServerBinaries {
  private ServerBinaries() {}

  /**
   * The binary from {@code envVar}, else the first of {@code names} on the PATH or in /usr/bin.
   * Missing is an error, never a skip: a test that cannot reach its real server must fail.
   */
  static String find(String envVar, String debianPackage, String... names) {
    String fromEnv = System.getenv(envVar);
    if (fromEnv != null && new File(fromEnv).canExecute()) {
      return fromEnv;
    }
    String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin";
    for (String name : names) {
      for (String dir : path.split(File.pathSeparator)) {
        File f = new File(dir, name);
        if (f.canExecute()) {
          return f.getAbsolutePath();
        }
      }
    }
    throw new IllegalStateException(
        "No "
            + String.join("/", names)
            + " binary found (set "
            + envVar
            + " or install it: `apt-get update && apt-get install -y "
            + debianPackage
            + "`, which scripts/test does for you).");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
