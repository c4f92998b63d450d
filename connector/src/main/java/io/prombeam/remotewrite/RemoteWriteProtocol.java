package io.prombeam.remotewrite;

/** Remote-write protocol versions and their HTTP framing. */
public enum RemoteWriteProtocol {
  /** Remote-write 1.0: {@code prometheus.WriteRequest}, header version 0.1.0. */
  V1("application/x-protobuf", "0.1.0");

  private final String contentType;
  private final String versionHeader;

  RemoteWriteProtocol(String contentType, String versionHeader) {
    this.contentType = contentType;
    this.versionHeader = versionHeader;
  }

  /** The request's {@code Content-Type}. */
  public String contentType() {
    return contentType;
  }

  /** Value of {@code X-Prometheus-Remote-Write-Version}. */
  public String versionHeader() {
    return versionHeader;
  }

  WriteRequestEncoder newEncoder() {
    switch (this) {
      case V1:
        return new RemoteWriteV1Encoder();
      default:
        throw new IllegalStateException("no encoder for " + this);
    }
  }
}
