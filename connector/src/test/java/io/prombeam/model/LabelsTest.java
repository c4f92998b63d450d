package io.prombeam.model;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.prombeam.remotewrite.proto.PrometheusRemote;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

/** The two forms of a label set: strings and the encoded (remote-write protobuf) form. */
public class LabelsTest {
  private static final String LONG_VALUE = "x".repeat(300); // two-byte lengths
  private static final Labels[] SETS = {
    Labels.EMPTY,
    Labels.of("__name__", "up", "job", "node", "instance", "10.0.0.1:9100"),
    Labels.of("__name__", "m", "route", "/api/ü", "emoji", "\uD83D\uDE00", "euro", "€"),
    Labels.of("__name__", "m", "long", LONG_VALUE),
    Labels.of("", "empty name is kept for validation", "a", "1"),
  };

  @Test
  public void encodedFormIsProtobufsOwnBytesOfTheLabelFields() {
    for (Labels l : SETS) {
      PrometheusRemote.TimeSeries.Builder ts = PrometheusRemote.TimeSeries.newBuilder();
      for (int i = 0; i < l.size(); i++) {
        ts.addLabels(PrometheusRemote.Label.newBuilder().setName(l.name(i)).setValue(l.value(i)));
      }
      byte[] mine = new byte[LabelsWireForm.length(l)];
      LabelsWireForm.copy(l, mine, 0);
      assertArrayEquals(l.toString(), ts.build().toByteArray(), mine);
    }
  }

  @Test
  public void theStringHashFromBytesMatchesForEveryLengthOfNameAndValue() throws Exception {
    String text = "abcdefghijklmnopqrstu~ 0123456789";
    for (int n = 1; n <= 13; n++) {
      for (int v = 1; v <= 13; v++) {
        Labels l = Labels.of("__name__", "m", text.substring(0, n), text.substring(3, 3 + v));
        assertEquals(
            n + "/" + v, l.stringHash(), CoderUtils.clone(LabelsCoder.of(), l).stringHash());
      }
    }
  }

  @Test
  public void decodedLabelsEqualAndHashLikeTheStringsTheyCameFrom() throws Exception {
    for (Labels l : SETS) {
      Labels fresh = Labels.of(pairs(l)); // strings only, nothing computed yet
      Labels decoded = CoderUtils.clone(LabelsCoder.of(), l);
      assertTrue(LabelsWireForm.isAtHand(decoded));
      assertEquals(l.size(), decoded.size());
      assertEquals(fresh, decoded);
      assertEquals(decoded, fresh);
      assertEquals(fresh.hashCode(), decoded.hashCode());
      // the string hash, computed from the bytes for ASCII, decoded otherwise, is the same too
      assertEquals(
          l.toString(),
          Labels.of(pairs(l)).stringHash(),
          CoderUtils.clone(LabelsCoder.of(), l).stringHash());
      assertEquals(0, fresh.compareTo(decoded));
      assertEquals(fresh.toString(), decoded.toString());
      for (int i = 0; i < l.size(); i++) {
        assertEquals(l.name(i), decoded.name(i));
        assertEquals(l.value(i), decoded.value(i));
      }
      assertEquals(l.metricName(), decoded.metricName());
    }
    assertNotEquals(SETS[1], CoderUtils.clone(LabelsCoder.of(), SETS[2]));
    assertNotEquals(
        Labels.of("a", "bc").hashCode(), Labels.of("ab", "c").hashCode()); // lengths are encoded
  }

  @Test
  public void illFormedTextHasNoEncodedFormAndKeepsItsExactStrings() throws Exception {
    Labels bad = Labels.of("__name__", "m", "v", "a\uD800b");
    assertEquals(-1, LabelsWireForm.length(bad));
    assertFalse(LabelsWireForm.isAtHand(bad));
    Labels back = CoderUtils.clone(LabelsCoder.of(), bad);
    assertEquals("a\uD800b", back.get("v"));
    assertEquals(bad, back);
    assertEquals(bad.hashCode(), back.hashCode());
    assertNotEquals(Labels.of("__name__", "m", "v", "a?b"), bad);
  }

  @Test
  public void corruptCoderBytesFailNamingWhatWasExpected() throws Exception {
    byte[] good = CoderUtils.encodeToByteArray(LabelsCoder.of(), SETS[1]);
    byte[] corrupt = good.clone();
    corrupt[1] = 0x33; // the first Label tag
    try {
      CoderUtils.decodeFromByteArray(LabelsCoder.of(), corrupt);
      fail("decoded corrupt bytes");
    } catch (CoderException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("expected a Label field tag at byte 0"));
    }
    byte[] truncatedInside = good.clone();
    truncatedInside[2] = 100; // the first Label claims more bytes than the set has
    try {
      CoderUtils.decodeFromByteArray(LabelsCoder.of(), truncatedInside);
      fail("decoded corrupt bytes");
    } catch (CoderException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("Label length within the bytes"));
    }
  }

  @Test
  public void javaSerializationKeepsEitherForm() throws Exception {
    for (Labels l : SETS) {
      Labels decoded = CoderUtils.clone(LabelsCoder.of(), l);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(decoded);
      }
      try (ObjectInputStream in =
          new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        assertEquals(l, in.readObject());
      }
    }
  }

  @Test
  public void builderSortsByNameStablyAtAnySize() {
    for (int n : new int[] {1, 2, 11, 33, 70}) {
      Labels.Builder b = Labels.builder();
      for (int i = n - 1; i >= 0; i--) {
        b.add(String.format("l%03d", i), "v" + i);
      }
      b.add("l000", "again"); // a repeated name keeps its insertion order
      Labels l = b.build();
      assertEquals(n + 1, l.size());
      for (int i = 1; i < l.size(); i++) {
        assertTrue(l.name(i - 1).compareTo(l.name(i)) <= 0);
      }
      assertEquals("v0", l.value(0));
      assertEquals("again", l.value(1));
    }
    Labels.Builder b = Labels.builder().add("b", "1").add("a", "1").add("b", "2");
    assertEquals(Labels.of("a", "1", "b", "3"), b.set("b", "3").build());
  }

  private static String[] pairs(Labels l) {
    String[] out = new String[2 * l.size()];
    for (int i = 0; i < l.size(); i++) {
      out[2 * i] = l.name(i);
      out[2 * i + 1] = l.value(i);
    }
    return out;
  }
}
