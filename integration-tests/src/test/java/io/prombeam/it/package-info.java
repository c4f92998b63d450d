/**
 * Integration tests against real servers started by the harness on loopback: Prometheus,
 * Pushgateway, node-exporter, VictoriaMetrics and a standalone Flink cluster.
 */
package io.prombeam.it;
