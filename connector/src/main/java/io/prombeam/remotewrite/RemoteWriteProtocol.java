package io.prombeam.remotewrite;

/** Remote-write protocol versions and their HTTP framing. */
public enum RemoteWriteProtocol {
  /** Remote-write 1.0: {@code prometheus.WriteRequest}, header version 0.1.0. Every receiver. */
  V1("application/x-protobuf", "0.1.0"),

  /**
   * Remote-write 2.0: {@code io.prometheus.write.v2.Request}, strings interned in a symbol table,
   * metadata on every series; header version 2.0.0. For receivers known to speak it (Prometheus 3,
   * Mimir, ...): a receiver that does not answers 415 (or a 2xx without the written counts, which
   * the spec says to take as 415) and the request fails as {@code REJECTED}.
   */
  V2("application/x-protobuf;proto=io.prometheus.write.v2.Request", "2.0.0"),

  /**
   * 2.0 first; when the receiver answers 415 (or a 2xx without the written counts) the request is
   * sent again as 1.0, and 1.0 is used for that endpoint URL from then on, in this JVM.
   */
  V2_WITH_V1_FALLBACK(V2.contentType, V2.versionHeader);

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

  /** Whether requests are (first) sent as 2.0. */
  boolean isV2() {
    return this != V1;
  }

  WriteRequestEncoder newEncoder() {
    return isV2() ? new RemoteWriteV2Encoder() : new RemoteWriteV1Encoder();
  }
}
