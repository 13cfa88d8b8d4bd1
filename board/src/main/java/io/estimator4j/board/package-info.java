/**
 * {@code e4j board} and {@code e4j plot}: TensorBoard's scalars and distributions pages without
 * Python. {@link io.estimator4j.board.BoardData} follows the event files under a log directory as
 * TensorBoard's {@code EventMultiplexer} does (one run per directory holding event files, reservoir
 * sampling per tag, the torn last record of a file being written left for the next reload); {@link
 * io.estimator4j.board.BoardServer} serves them with TensorBoard's HTTP API shapes and a page that
 * ships inside the jar; {@link io.estimator4j.board.BoardPlot} draws the same charts to PNG or SVG.
 */
package io.estimator4j.board;
