/**
 * The Pushgateway sink: groups of series rendered in the text exposition format and pushed (PUT or
 * POST) under a grouping key, with per-group results and failures.
 */
package io.prombeam.pushgateway;
