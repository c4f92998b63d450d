package io.prombeam.bench;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.prombeam.remotewrite.RemoteWriteCodec;
import org.junit.Test;
import org.xerial.snappy.Snappy;

/** Tiny runs of the benchmark harness, so it never rots (not a timing test). */
public class BenchSmokeTest {

  @Test
  public void bothEncodersProduceTheSameRequest() throws Exception {
    EncodeBenchmark b = new EncodeBenchmark();
    for (int perSeries : new int[] {1, 10}) {
      b.samplesPerSeries = perSeries;
      b.setup();
      EncodeBenchmark.FreshStrings fresh = new EncodeBenchmark.FreshStrings();
      fresh.rebuild(b);
      byte[] baseline = Snappy.uncompress(b.baselineGeneratedBuilders());
      assertArrayEquals(baseline, Snappy.uncompress(b.prombeam()));
      assertArrayEquals(baseline, Snappy.uncompress(b.prombeamFreshStrings(fresh)));
      assertEquals(
          EncodeBenchmark.SAMPLES / perSeries,
          RemoteWriteCodec.decodeWriteRequest(b.prombeam()).size());
    }
  }

  @Test
  public void endToEndHarnessDeliversEverySampleToTheReceiverProcess() throws Exception {
    int port = EndToEndBench.freePort();
    Process receiver = EndToEndBench.startReceiver(port);
    try {
      EndToEndBench.Result r =
          EndToEndBench.run("direct", "http://127.0.0.1:" + port, 300, 10, 2, 500);
      assertEquals(3000, r.received);
      assertTrue(r.bytesPerSample > 0);
      assertTrue(r.row().startsWith("| direct | 2 | 500 | 3,000 |"));
    } finally {
      receiver.destroy();
    }
  }

  @Test
  public void singleSampleHarnessDeliversEverySampleOnceAndInOrder() throws Exception {
    int port = EndToEndBench.freePort();
    Process receiver = EndToEndBench.startReceiver(port, 0, true);
    try {
      // run() itself fails unless the receiver counted every sample once, none out of order, no
      // failure
      String row = SingleSampleBench.run("direct", "batch", "http://127.0.0.1:" + port, 200, 5);
      assertTrue(row, row.startsWith("| direct | batch | 200 x 5 | 1,000 |"));
    } finally {
      receiver.destroy();
    }
  }
}
