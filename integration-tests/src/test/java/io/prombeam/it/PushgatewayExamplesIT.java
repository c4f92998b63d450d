package io.prombeam.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;

import io.prombeam.examples.BatchResultPushgatewayExample;
import io.prombeam.examples.BeamMetricsExample;
import java.util.Map;
import java.util.UUID;
import org.junit.ClassRule;
import org.junit.Test;

/** The Pushgateway and Beam-metrics examples, run through their main methods as users do. */
public class PushgatewayExamplesIT {
  @ClassRule public static final PushgatewayServer GATEWAY = new PushgatewayServer();

  @Test
  public void batchJobPushesItsResultPerRegion() throws Exception {
    BatchResultPushgatewayExample.main(
        new String[] {
          "--runner=DirectRunner", "--pushgatewayUrl=" + GATEWAY.url(), "--numInvoices=3000"
        });
    double total = 0;
    for (String region : BatchResultPushgatewayExample.REGIONS) {
      Map<String, Map<Map<String, String>, String>> g =
          GATEWAY.group(Map.of("job", "billing_batch", "region", region));
      assertNotNull(region, g);
      assertEquals("1000", g.get("billing_invoices").values().iterator().next());
      total += Double.parseDouble(g.get("billing_amount_total").values().iterator().next());
      assertNotNull(g.get("billing_last_success_timestamp_seconds"));
    }
    double want = 0;
    for (long i = 0; i < 3000; i++) {
      want += BatchResultPushgatewayExample.amount(i);
    }
    assertEquals(want, total, 1e-6);
  }

  @Test
  public void beamMetricsExamplePushesItsOwnCounters() throws Exception {
    String job = "example_" + UUID.randomUUID().toString().substring(0, 8);
    BeamMetricsExample.main(
        new String[] {
          "--runner=DirectRunner",
          "--pushgatewayUrl=" + GATEWAY.url(),
          "--numOrders=9700",
          "--metricsJob=" + job
        });
    Map<String, Map<Map<String, String>, String>> g = GATEWAY.group(Map.of("job", job));
    assertNotNull(g);
    assertEquals("100", g.get("beam_orders_rejected_total").values().iterator().next());
    assertEquals("9600", g.get("beam_orders_parsed_total").values().iterator().next());
    assertEquals(4, g.get("beam_orders_currencies_info").size());
  }
}
