package dev.duet.trainer.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/** PNG charts for reports, written beside their JSON and Markdown (headless-safe). */
public final class Charts {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 540;

    private Charts() {}

    /** A line chart with one series per entry of {@code series} over the shared x values. */
    public static void lines(
            Path file, String title, String xTitle, String yTitle, double[] x, Map<String, double[]> series)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setMarkerSize(6);
        series.forEach((name, y) -> chart.addSeries(name, x, y));
        write(chart, file);
    }

    /** A grouped bar chart: categories on x, one bar per series. */
    public static void bars(
            Path file, String title, String xTitle, String yTitle, List<String> categories, Map<String, List<Double>> series)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        series.forEach((name, values) -> chart.addSeries(name, categories, values));
        write(chart, file);
    }

    private static void write(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
