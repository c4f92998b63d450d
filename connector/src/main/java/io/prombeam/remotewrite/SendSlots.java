package io.prombeam.remotewrite;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bound on requests in flight for bounded input: one semaphore of {@code shards} permits per
 * sink per JVM, shared by all DoFn instances of that sink on the worker, so a receiver sees at most
 * {@code shards} concurrent requests from each worker however many threads the runner uses.
 * Requests run on a shared pool of daemon threads that end when idle.
 */
final class SendSlots {
  private static final ConcurrentHashMap<String, Semaphore> SLOTS = new ConcurrentHashMap<>();
  private static final AtomicInteger THREADS = new AtomicInteger();

  static final ExecutorService POOL =
      new ThreadPoolExecutor(
          0,
          Integer.MAX_VALUE,
          30,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          r -> {
            Thread t = new Thread(r, "prombeam-remote-write-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });

  private SendSlots() {}

  /** The permits of sink {@code sinkId} in this JVM. */
  static Semaphore forSink(String sinkId, int shards) {
    return SLOTS.computeIfAbsent(sinkId, k -> new Semaphore(shards));
  }
}
