package io.prombeam.remotewrite;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertSame;

import io.prombeam.model.Labels;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/** The in-bundle merge's table: one run per label set, across growth and equal hashes. */
public class SeriesTableTest {
  @Test
  public void eachLabelSetHasOneRunThroughGrowthAndHashCollisions() {
    SeriesTable table = new SeriesTable();
    List<Labels> keys = new ArrayList<>();
    List<SampleRun> first = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      // "Aa" and "BB" have the same String.hashCode, so each pair's string hashes are equal
      for (String v : new String[] {"Aa", "BB"}) {
        Labels l = Labels.of("__name__", "m", "i", Integer.toString(i), "v", v);
        keys.add(l);
        first.add(table.runFor(l, l.stringHash()));
      }
    }
    assertEquals(keys.get(0).stringHash(), keys.get(1).stringHash()); // the collision is real
    assertNotSame(first.get(0), first.get(1));
    assertEquals(10_000, table.size());
    for (int k = 0; k < keys.size(); k++) {
      // an equal label set built afresh finds the same run
      Labels again =
          Labels.of("__name__", "m", "i", keys.get(k).get("i"), "v", keys.get(k).get("v"));
      assertSame("key " + k, first.get(k), table.runFor(again, again.stringHash()));
    }
    assertEquals(10_000, table.size());
    for (int index = 0; index < table.size(); index++) {
      assertSame(first.get(index), table.run(index));
      assertEquals(keys.get(index), table.labels(index));
      assertEquals(keys.get(index).stringHash(), table.hash(index));
    }
  }
}
