package io.prombeam.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.io.UnboundedSource;

/**
 * The requests read since the previous checkpoint, by id: runners may finalize a copy of the mark
 * made through its coder (DirectRunner does), so the mark carries only an id and the requests wait
 * in a JVM-wide registry. Finalizing answers their senders. A mark restored on another JVM after a
 * failure finds nothing: those senders timed out and retry.
 */
final class ReceiverCheckpoint implements UnboundedSource.CheckpointMark, Serializable {
  private static final long serialVersionUID = 1L;
  private static final java.util.concurrent.ConcurrentHashMap<Long, List<PendingRequest>> WAITING =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static final java.util.concurrent.atomic.AtomicLong IDS =
      new java.util.concurrent.atomic.AtomicLong();

  final long id;

  ReceiverCheckpoint(long id) {
    this.id = id;
  }

  static ReceiverCheckpoint of(List<PendingRequest> requests) {
    long id = IDS.incrementAndGet();
    if (!requests.isEmpty()) {
      WAITING.put(id, requests);
    }
    return new ReceiverCheckpoint(id);
  }

  @Override
  public void finalizeCheckpoint() {
    List<PendingRequest> requests = WAITING.remove(id);
    if (requests != null) {
      for (PendingRequest p : requests) {
        p.acked.countDown();
      }
    }
  }

  static final class Coder extends AtomicCoder<ReceiverCheckpoint> {
    private static final long serialVersionUID = 1L;

    @Override
    public void encode(ReceiverCheckpoint value, OutputStream out) throws IOException {
      org.apache.beam.sdk.coders.VarLongCoder.of().encode(value.id, out);
    }

    @Override
    public ReceiverCheckpoint decode(InputStream in) throws IOException {
      return new ReceiverCheckpoint(org.apache.beam.sdk.coders.VarLongCoder.of().decode(in));
    }
  }
}
