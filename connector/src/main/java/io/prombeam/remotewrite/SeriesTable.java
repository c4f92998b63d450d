package io.prombeam.remotewrite;

import io.prombeam.model.Labels;
import java.util.Arrays;

/**
 * The in-bundle merge's series → run table: open addressing over one {@code long[]} of (hash,
 * index) slots, with label sets and runs in arrays by index.
 *
 * <p>Why not a {@code HashMap}: with tens of thousands of series held, every lookup of a
 * single-sample element is a chain of cache misses, and a map adds two links to it (its node and a
 * key wrapper, allocated per lookup) before the label set is even compared. Here a lookup reads one
 * slot, whose stored hash rejects other series without touching them, then the label set.
 */
final class SeriesTable {
  private long[] slots = new long[1 << 10]; // (hash << 32) | (index + 1); 0 is empty
  private Labels[] labels = new Labels[1 << 9];
  private SampleRun[] runs = new SampleRun[1 << 9];
  private int[] hashes = new int[1 << 9];
  private int size;

  /** The run of the series with these labels and {@link Labels#stringHash()}, new if absent. */
  SampleRun runFor(Labels key, int hash) {
    int mask = slots.length - 1;
    for (int i = spread(hash) & mask; ; i = (i + 1) & mask) {
      long slot = slots[i];
      if (slot == 0) {
        return insert(i, key, hash);
      }
      if ((int) (slot >>> 32) == hash) {
        int index = (int) slot - 1;
        if (labels[index].equals(key)) {
          return runs[index];
        }
      }
    }
  }

  private SampleRun insert(int slot, Labels key, int hash) {
    if (size == labels.length) {
      labels = Arrays.copyOf(labels, size * 2);
      runs = Arrays.copyOf(runs, size * 2);
      hashes = Arrays.copyOf(hashes, size * 2);
    }
    SampleRun run = new SampleRun();
    labels[size] = key;
    runs[size] = run;
    hashes[size] = hash;
    size++;
    slots[slot] = ((long) hash << 32) | size;
    if (size * 2 > slots.length) {
      rehash(slots.length * 2);
    }
    return run;
  }

  private void rehash(int capacity) {
    slots = new long[capacity];
    int mask = capacity - 1;
    for (int index = 0; index < size; index++) {
      int i = spread(hashes[index]) & mask;
      while (slots[i] != 0) {
        i = (i + 1) & mask;
      }
      slots[i] = ((long) hashes[index] << 32) | (index + 1);
    }
  }

  /** Label hashes are string polynomials, weak in their low bits: mix before masking. */
  private static int spread(int h) {
    h *= 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  /** The number of series held; indexes run from 0 in the order series were first seen. */
  int size() {
    return size;
  }

  /** The label set of series {@code index}. */
  Labels labels(int index) {
    return labels[index];
  }

  /** The run of series {@code index}. */
  SampleRun run(int index) {
    return runs[index];
  }

  /** The {@link Labels#stringHash()} of series {@code index}. */
  int hash(int index) {
    return hashes[index];
  }
}
