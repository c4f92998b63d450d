/**
 * Benchmarks: JMH encode benchmarks and end-to-end harnesses that count delivered samples at a
 * receiver process; {@code scripts/bench} runs them and writes a report.
 */
package io.prombeam.bench;
