package io.prombeam.source;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.RemoteWriteCodec;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.joda.time.Duration;
import org.junit.Test;

/** The receiver's protocol with a reader driven by hand: ack on checkpoint, 503 when full. */
public class ReceiverSourceTest {
  /** The defaults {@code receive()} has, no authentication. */
  static ReceiverLimits limits() {
    return new ReceiverLimits(
        Receive.DEFAULT_MAX_REQUEST_BYTES,
        Receive.DEFAULT_MAX_DECODED_BYTES,
        Receive.DEFAULT_MAX_SERIES_PER_REQUEST,
        Receive.DEFAULT_MAX_IN_FLIGHT_BYTES,
        null,
        null,
        null);
  }

  private static final OkHttpClient HTTP =
      new OkHttpClient.Builder().readTimeout(30, TimeUnit.SECONDS).build();

  private static int post(int port, List<TimeSeries> series) throws Exception {
    byte[] body = RemoteWriteCodec.encodeV1Compressed(series);
    Request r =
        new Request.Builder()
            .url("http://127.0.0.1:" + port + "/api/v1/write")
            .header("Content-Encoding", "snappy")
            .post(RequestBody.create(body, MediaType.get("application/x-protobuf")))
            .build();
    try (Response resp = HTTP.newCall(r).execute()) {
      return resp.code();
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  public void acknowledgesOnlyWhenTheCheckpointIsFinalizedAndRefusesWhenFull() throws Exception {
    int port = freePort();
    RemoteWriteReceiverSource source =
        new RemoteWriteReceiverSource(
            "127.0.0.1",
            port,
            "/api/v1/write",
            1,
            Duration.standardSeconds(20),
            AckMode.ON_CHECKPOINT,
            null,
            ReceiverSourceTest.limits());
    UnboundedSource.UnboundedReader<TimeSeries> reader =
        source.createReader(PipelineOptionsFactory.create(), null);
    assertFalse(reader.start());
    TimeSeries a = TimeSeries.builder("m").label("i", "1").sample(1, 1).build();
    TimeSeries b = TimeSeries.builder("m").label("i", "2").sample(1, 2).build();

    CompletableFuture<Integer> first =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return post(port, List.of(a, b));
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    Thread.sleep(500);
    // the queue holds one request: a second one is refused at once with 503
    assertEquals(503, post(port, List.of(a)));
    assertFalse("no answer before the pipeline has it", first.isDone());

    assertTrue(reader.advance());
    assertEquals(a, reader.getCurrent());
    assertTrue(reader.advance());
    assertEquals(b, reader.getCurrent());
    UnboundedSource.CheckpointMark mark = reader.getCheckpointMark();
    Thread.sleep(300);
    assertFalse("read but not yet checkpointed: still no answer", first.isDone());
    // the runner may finalize a copy made through the coder
    mark =
        org.apache.beam.sdk.util.CoderUtils.clone(
            source.getCheckpointMarkCoder(), (ReceiverCheckpoint) mark);
    mark.finalizeCheckpoint();
    assertEquals(204, (int) first.get(10, TimeUnit.SECONDS));

    // invalid data: 400 with the rule
    assertEquals(400, post(port, List.of(TimeSeries.builder("bad name").sample(1, 1).build())));
    reader.close();
  }

  @Test
  public void aReaderClosedMidRequestHandsTheRestToTheNextReaderAndTheSenderIsAnsweredOnce()
      throws Exception {
    int port = freePort();
    RemoteWriteReceiverSource source =
        new RemoteWriteReceiverSource(
            "127.0.0.1",
            port,
            "/api/v1/write",
            4,
            Duration.standardSeconds(20),
            AckMode.ON_READ,
            null,
            ReceiverSourceTest.limits());
    UnboundedSource.UnboundedReader<TimeSeries> first =
        source.createReader(PipelineOptionsFactory.create(), null);
    assertFalse(first.start());
    List<TimeSeries> sent = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sent.add(TimeSeries.builder("m").label("i", "" + i).sample(1, i).build());
    }
    CompletableFuture<Integer> answer =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return post(port, sent);
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    List<TimeSeries> read = new java.util.ArrayList<>();
    long deadline = System.currentTimeMillis() + 10_000;
    while (!first.advance()) {
      assertTrue("the request reached the reader", System.currentTimeMillis() < deadline);
      Thread.sleep(20);
    }
    read.add(first.getCurrent());
    assertTrue(first.advance());
    read.add(first.getCurrent());
    // as DirectRunner does at random: close the reader and create another one
    UnboundedSource.UnboundedReader<TimeSeries> second =
        source.createReader(PipelineOptionsFactory.create(), null);
    first.close();
    Thread.sleep(300);
    assertFalse("not answered with 3 series unread", answer.isDone());
    for (boolean more = second.start(); more; more = second.advance()) {
      read.add(second.getCurrent());
    }
    assertEquals("every series read once, in order", sent, read);
    assertEquals(204, (int) answer.get(10, TimeUnit.SECONDS));
    second.close();
  }
}
