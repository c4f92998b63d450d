package io.prombeam.pushgateway;

import java.io.Serializable;
import java.util.Objects;
import org.apache.beam.sdk.annotations.Internal;

/** One successful push of a group: where it went and what it carried. */
public final class PushSummary implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String groupPath;
  private final int series;
  private final int bodyBytes;
  private final int httpStatus;
  private final int attempts;

  /** A push of {@code series} series to {@code groupPath}. */
  @Internal
  public PushSummary(String groupPath, int series, int bodyBytes, int httpStatus, int attempts) {
    this.groupPath = groupPath;
    this.series = series;
    this.bodyBytes = bodyBytes;
    this.httpStatus = httpStatus;
    this.attempts = attempts;
  }

  /** The group's URL path, e.g. {@code /metrics/job/batch/instance/host-1}. */
  public String groupPath() {
    return groupPath;
  }

  /** Series pushed. */
  public int series() {
    return series;
  }

  /** Bytes of the text-format body. */
  public int bodyBytes() {
    return bodyBytes;
  }

  /** The gateway's answer. */
  public int httpStatus() {
    return httpStatus;
  }

  /** Tries it took, retries included. */
  public int attempts() {
    return attempts;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PushSummary)) {
      return false;
    }
    PushSummary p = (PushSummary) o;
    return groupPath.equals(p.groupPath)
        && series == p.series
        && bodyBytes == p.bodyBytes
        && httpStatus == p.httpStatus
        && attempts == p.attempts;
  }

  @Override
  public int hashCode() {
    return Objects.hash(groupPath, series, bodyBytes, httpStatus, attempts);
  }

  @Override
  public String toString() {
    return groupPath
        + ": "
        + series
        + " series, "
        + bodyBytes
        + " B, HTTP "
        + httpStatus
        + " after "
        + attempts
        + " tries";
  }
}
