package io.prombeam.remotewrite;

import io.prombeam.model.TimeSeries;
import java.io.Serializable;
import java.util.List;

/**
 * Encodes one remote-write request body (uncompressed protobuf). One implementation per protocol
 * version: 1.0 today; 2.0's symbol-table request will be a second implementation behind the same
 * interface, chosen by {@link RemoteWriteProtocol}.
 */
interface WriteRequestEncoder extends Serializable {

  /**
   * Appends the encoded request to {@code out}, series in the given order. Callers pass one entry
   * per label set, samples sorted by timestamp (see {@link RequestBuilder}); metadata found on the
   * series is sent once per family.
   */
  void encodeTo(List<TimeSeries> series, WireBuffer out);

  /** {@link #encodeTo} into a fresh exact-size array. */
  default byte[] encode(List<TimeSeries> series) {
    WireBuffer out = new WireBuffer(256 * series.size());
    encodeTo(series, out);
    return out.toByteArray();
  }
}
