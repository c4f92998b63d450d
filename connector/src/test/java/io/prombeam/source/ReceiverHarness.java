package io.prombeam.source;

import static org.junit.Assert.assertFalse;

import io.prombeam.model.TimeSeries;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.joda.time.Duration;

/** A receiver source's reader on a free loopback port, read as a runner would. */
final class ReceiverHarness implements AutoCloseable {
  final int port;
  UnboundedSource.UnboundedReader<TimeSeries> reader;

  ReceiverHarness(ReceiverLimits limits, AckMode ack) throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    RemoteWriteReceiverSource source =
        new RemoteWriteReceiverSource(
            "127.0.0.1", port, "/api/v1/write", 10, Duration.standardSeconds(5), ack, null, limits);
    reader = source.createReader(PipelineOptionsFactory.create(), null);
    assertFalse(reader.start());
  }

  /** Everything the reader emits until it has nothing for {@code quietMillis}. */
  List<TimeSeries> drain(long quietMillis) throws Exception {
    List<TimeSeries> out = new ArrayList<>();
    long idleSince = System.currentTimeMillis();
    while (System.currentTimeMillis() - idleSince < quietMillis) {
      if (reader.advance()) {
        out.add(reader.getCurrent());
        idleSince = System.currentTimeMillis();
      } else {
        Thread.sleep(10);
      }
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }
}
