/**
 * Runnable example pipelines, one per capability: each prints what it did. See the README for how
 * to run them against a local Prometheus.
 */
package io.prombeam.examples;
