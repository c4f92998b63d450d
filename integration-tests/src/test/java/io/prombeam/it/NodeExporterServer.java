package io.prombeam.it;

import java.util.List;

/** A real prometheus-node-exporter on a free loopback port, with a few cheap collectors. */
public final class NodeExporterServer extends ServerProcess {
  @Override
  protected String name() {
    return "node-exporter";
  }

  @Override
  protected String readinessPath() {
    return "/metrics";
  }

  @Override
  protected List<String> command() {
    String bin =
        ServerBinaries.find(
            "NODE_EXPORTER_BIN",
            "prometheus-node-exporter",
            "prometheus-node-exporter",
            "node_exporter");
    return List.of(
        bin,
        "--web.listen-address=127.0.0.1:" + port,
        "--collector.disable-defaults",
        "--collector.loadavg",
        "--collector.meminfo",
        "--collector.cpu",
        "--collector.time",
        "--log.level=warn");
  }

  String metricsUrl() {
    return baseUrl() + "/metrics";
  }
}
