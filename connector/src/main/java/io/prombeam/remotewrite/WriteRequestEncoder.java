package io.prombeam.remotewrite;

import io.prombeam.model.TimeSeries;
import java.io.Serializable;
import java.util.List;

/**
 * Encodes one remote-write request body (uncompressed protobuf). One implementation per protocol
 * version: 1.0 today; 2.0's symbol-table request will be a second implementation behind the same
 * interface, chosen by {@link RemoteWriteProtocol}.
 */
public interface WriteRequestEncoder extends Serializable {

  /**
   * Encodes the series, in the given order. Callers pass one entry per label set, samples sorted
   * by timestamp (see {@link RequestBuilder}); metadata found on the series is sent once per family.
   */
  byte[] encode(List<TimeSeries> series);
}
