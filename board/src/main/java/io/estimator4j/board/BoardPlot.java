package io.estimator4j.board;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.text.TextUtils;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * {@code e4j plot}: the board's scalar charts drawn without a browser (JFreeChart, JFreeSVG), as a
 * PNG or SVG file for CI logs and reports. One panel per tag, stacked, sharing the horizontal axis;
 * every run that has the tag is one colour (the board's palette), its smoothed series drawn over
 * its raw series as the scalars dashboard draws them.
 */
public final class BoardPlot {

  /** The board's run colours, TensorBoard's palette. */
  static final List<Color> PALETTE =
      List.of(
          new Color(0xff7043),
          new Color(0x0077bb),
          new Color(0xcc3311),
          new Color(0x33bbee),
          new Color(0xee3377),
          new Color(0x009988),
          new Color(0xbbbbbb));

  /** Series with at most this many points also show them as dots. */
  private static final int FEW_POINTS = 10;

  /** What the horizontal axis shows, as the board's "Horizontal axis" choice. */
  public enum XAxis {
    /** The global step. */
    STEP,
    /** Time since the series' first point (seconds, minutes or hours as its length suits). */
    RELATIVE,
    /** The wall clock. */
    WALL
  }

  /**
   * What to draw.
   *
   * @param tags the scalar tags, one panel each, in this order
   * @param runs the runs to draw; empty: every run that has the tag
   * @param smoothing TensorBoard's smoothing weight, 0 (none) to 1
   * @param xAxis the horizontal axis
   * @param logScale a logarithmic vertical axis (values <= 0 are left out)
   * @param width the image width in pixels
   * @param panelHeight the height of each tag's panel in pixels
   */
  public record Options(
      List<String> tags,
      List<String> runs,
      double smoothing,
      XAxis xAxis,
      boolean logScale,
      int width,
      int panelHeight) {

    /** Checks the values; the messages name the command line options. */
    public Options {
      tags = List.copyOf(tags);
      runs = List.copyOf(runs);
      if (tags.isEmpty()) {
        throw new IllegalArgumentException(
            "Name at least one scalar tag with --tag, e.g. --tag loss.");
      }
      if (!(smoothing >= 0 && smoothing <= 1)) {
        throw new IllegalArgumentException(
            "--smoothing must be between 0 (none) and 1; got " + smoothing + ".");
      }
      if (width < 200 || width > 10000 || panelHeight < 100 || panelHeight > 10000) {
        throw new IllegalArgumentException(
            "--width must be 200 to 10000 and --height 100 to 10000 pixels; got "
                + width
                + " and "
                + panelHeight
                + ".");
      }
    }
  }

  /**
   * What was drawn.
   *
   * @param file the file written
   * @param runsPerTag the runs drawn in each tag's panel
   * @param points the raw points drawn, all panels together
   */
  public record Result(Path file, Map<String, List<String>> runsPerTag, int points) {}

  private BoardPlot() {}

  /**
   * Draws {@code options.tags()} of the runs in {@code data} into {@code out}, a PNG or SVG file as
   * its name ends; the parent directory is created.
   *
   * @throws IllegalArgumentException if {@code out} does not end in .png or .svg, or a tag is in no
   *     run (the message lists the tags there are)
   */
  public static Result write(BoardData data, Options options, Path out) throws IOException {
    String name = out.getFileName() == null ? "" : out.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    boolean svg = lower.endsWith(".svg");
    if (!svg && !lower.endsWith(".png")) {
      throw new IllegalArgumentException(
          "--out must name a .png or .svg file, e.g. --out curves.png; got '" + out + "'.");
    }
    if (data.runNames().isEmpty()) {
      throw new IllegalArgumentException(
          String.join(" ", data.messages().isEmpty() ? List.of("No runs.") : data.messages()));
    }
    for (String run : options.runs()) {
      if (data.run(run).isEmpty()) {
        throw new IllegalArgumentException(
            "No run '" + run + "' under " + data.logDir() + ". Runs: " + data.runNames() + ".");
      }
    }
    Set<String> known = data.scalarTags();
    for (String tag : options.tags()) {
      if (!known.contains(tag)) {
        throw new IllegalArgumentException(
            "No scalar tag '"
                + tag
                + "' in any run under "
                + data.logDir()
                + ". Scalar tags: "
                + known
                + ".");
      }
    }
    JFreeChart chart = chart(data, options);
    Map<String, List<String>> runsPerTag = new LinkedHashMap<>();
    int points = 0;
    for (String tag : options.tags()) {
      List<String> runs = new ArrayList<>();
      for (String run : runsOf(data, options)) {
        var series = data.scalars(run, tag);
        if (series.isPresent()) {
          runs.add(run);
          points += series.get().size();
        }
      }
      runsPerTag.put(tag, runs);
    }
    int height = options.panelHeight() * options.tags().size() + 90;
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      if (svg) {
        SVGGraphics2D g2 = new SVGGraphics2D(options.width(), height);
        synchronized (BoardPlot.class) {
          // Rotated axis labels as <text> rather than glyph outlines, so the SVG stays searchable.
          boolean workaround = TextUtils.isUseDrawRotatedStringWorkaround();
          TextUtils.setUseDrawRotatedStringWorkaround(false);
          try {
            chart.draw(g2, new Rectangle(0, 0, options.width(), height));
          } finally {
            TextUtils.setUseDrawRotatedStringWorkaround(workaround);
          }
        }
        Files.writeString(out, g2.getSVGDocument(), StandardCharsets.UTF_8);
      } else {
        try (OutputStream os = Files.newOutputStream(out)) {
          ChartUtils.writeChartAsPNG(os, chart, options.width(), height);
        }
      }
    } catch (InternalError e) {
      // The JDK's headless AWT without any font: say what to install rather than crash.
      throw new IOException(
          "Drawing the chart failed ("
              + e.getMessage()
              + "). The JVM found no font: install one (Debian: apt-get install fonts-dejavu-core).",
          e);
    }
    return new Result(out, runsPerTag, points);
  }

  private static List<String> runsOf(BoardData data, Options options) {
    return options.runs().isEmpty() ? data.runNames() : options.runs();
  }

  private static JFreeChart chart(BoardData data, Options options) {
    double unit = relativeUnit(data, options);
    ValueAxis domain =
        switch (options.xAxis()) {
          case STEP -> integerAxis("step");
          case RELATIVE ->
              new NumberAxis(
                  "relative time ("
                      + (unit == 1 ? "seconds" : unit == 60 ? "minutes" : "hours")
                      + ")");
          case WALL -> new DateAxis("wall time");
        };
    CombinedDomainXYPlot combined = new CombinedDomainXYPlot(domain);
    combined.setGap(14);
    List<String> allRuns = data.runNames();
    Map<String, Color> legend = new LinkedHashMap<>();
    for (String tag : options.tags()) {
      XYSeriesCollection smoothed = new XYSeriesCollection();
      XYSeriesCollection raw = new XYSeriesCollection();
      XYLineAndShapeRenderer smoothedRenderer = new XYLineAndShapeRenderer(true, false);
      XYLineAndShapeRenderer rawRenderer = new XYLineAndShapeRenderer(true, false);
      double largest = 0;
      for (String run : runsOf(data, options)) {
        var points = data.scalars(run, tag);
        if (points.isEmpty() || points.get().isEmpty()) {
          continue;
        }
        Color color = PALETTE.get(Math.max(0, allRuns.indexOf(run)) % PALETTE.size());
        legend.put(run, color);
        XYSeries[] pair = series(run, points.get(), options, unit);
        int i = smoothed.getSeriesCount();
        smoothed.addSeries(pair[1]);
        raw.addSeries(pair[0]);
        smoothedRenderer.setSeriesPaint(i, color);
        smoothedRenderer.setSeriesStroke(i, new BasicStroke(2f));
        // a series of a few points (evaluations) shows them, a single one would be invisible
        smoothedRenderer.setSeriesShapesVisible(i, points.get().size() <= FEW_POINTS);
        smoothedRenderer.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
        for (ScalarEvent p : points.get()) {
          if (Double.isFinite(p.value())) {
            largest = Math.max(largest, Math.abs(p.value()));
          }
        }
        rawRenderer.setSeriesPaint(
            i, new Color(color.getRed(), color.getGreen(), color.getBlue(), 70));
        rawRenderer.setSeriesStroke(i, new BasicStroke(1f));
        rawRenderer.setSeriesVisibleInLegend(i, false);
      }
      ValueAxis range;
      if (options.logScale()) {
        LogAxis log = new LogAxis(tag);
        log.setSmallestValue(1e-12);
        range = log;
      } else {
        NumberAxis linear = new NumberAxis(tag);
        linear.setAutoRangeIncludesZero(false);
        // a flat series (accuracy 1.0 at every evaluation) gets a readable range around it
        linear.setAutoRangeMinimumSize(largest > 0 ? largest * 0.02 : 1e-3);
        range = linear;
      }
      range.setLabelFont(range.getLabelFont().deriveFont(Font.BOLD));
      XYPlot plot = new XYPlot(smoothed, null, range, smoothedRenderer);
      plot.setDataset(1, raw);
      plot.setRenderer(1, rawRenderer);
      plot.setBackgroundPaint(Color.WHITE);
      plot.setDomainGridlinePaint(new Color(0xe0e0e0));
      plot.setRangeGridlinePaint(new Color(0xe0e0e0));
      combined.add(plot, 1);
    }
    LegendItemCollection items = new LegendItemCollection();
    legend.forEach(
        (run, color) -> {
          LegendItem item = new LegendItem(run, color);
          items.add(item);
        });
    combined.setFixedLegendItems(items);
    JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, combined, true);
    chart.setBackgroundPaint(Color.WHITE);
    chart.addSubtitle(
        new TextTitle(
            data.logDir()
                + "   smoothing "
                + options.smoothing()
                + (options.logScale() ? "   log scale" : "")));
    return chart;
  }

  private static NumberAxis integerAxis(String label) {
    NumberAxis axis = new NumberAxis(label);
    axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    axis.setAutoRangeIncludesZero(false);
    return axis;
  }

  /**
   * Seconds per unit of the relative time axis: seconds for runs under 2 minutes, minutes under 2
   * hours, else hours (TensorBoard always uses hours, which reads badly for short runs).
   */
  private static double relativeUnit(BoardData data, Options options) {
    double longest = 0;
    for (String tag : options.tags()) {
      for (String run : runsOf(data, options)) {
        var points = data.scalars(run, tag);
        if (points.isPresent() && !points.get().isEmpty()) {
          List<ScalarEvent> p = points.get();
          longest = Math.max(longest, p.get(p.size() - 1).wallTime() - p.get(0).wallTime());
        }
      }
    }
    return longest < 120 ? 1 : longest < 7200 ? 60 : 3600;
  }

  /** The raw and smoothed series of one run, smoothed in step order as the page does. */
  private static XYSeries[] series(
      String run, List<ScalarEvent> points, Options options, double unit) {
    double[] values = points.stream().mapToDouble(ScalarEvent::value).toArray();
    double[] smooth = Smoothing.smooth(values, options.smoothing());
    XYSeries raw = new XYSeries(run + " (raw)", true, true);
    XYSeries smoothed = new XYSeries(run, true, true);
    double firstWall = points.get(0).wallTime();
    for (int i = 0; i < points.size(); i++) {
      ScalarEvent p = points.get(i);
      double x =
          switch (options.xAxis()) {
            case STEP -> p.step();
            case RELATIVE -> (p.wallTime() - firstWall) / unit;
            case WALL -> p.wallTime() * 1000.0;
          };
      raw.add(x, drawable(values[i], options));
      smoothed.add(x, drawable(smooth[i], options));
    }
    return new XYSeries[] {raw, smoothed};
  }

  private static Double drawable(double v, Options options) {
    return Double.isFinite(v) && (!options.logScale() || v > 0) ? v : null;
  }
}
