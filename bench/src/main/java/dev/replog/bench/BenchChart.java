package dev.replog.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The PNG a person looks at: on top, native and Replog (each apply mode) bars side by side for every throughput
 * (and the snapshot's seconds), each group scaled to its own largest bar because rows/s and tps
 * differ by orders of magnitude; below, the lag of every pgbench run over time, on a log scale
 * so that native's milliseconds and a lagging follower's seconds both show.
 */
final class BenchChart {

    private static final int WIDTH = 1400;
    private static final int HEIGHT = 1000;
    private static final Color NATIVE = new Color(0x33, 0x66, 0xcc);
    private static final Color REPLOG = new Color(0xdd, 0x66, 0x22);
    private static final Color TRANSACTIONAL = new Color(0x33, 0x99, 0x55);
    /** Bar and unthrottled-lag colour of each kind, in the order of {@link ReplicationKind}. */
    private static final Color[] COLORS = {NATIVE, REPLOG, TRANSACTIONAL};
    /** The rate-limited run's lag, lighter. */
    private static final Color[] RATED_COLORS = {new Color(0x66, 0xaa, 0xee), new Color(0xee, 0xaa, 0x55), new Color(0x77, 0xcc, 0x88)};
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 18);
    private static final Font TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    private BenchChart() {
    }

    static void write(BenchResults results, String machine, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setColor(Color.BLACK);
            g.setFont(TITLE);
            g.drawString("Replog vs PostgreSQL native logical replication", 40, 35);
            g.setFont(TEXT);
            g.drawString(machine, 40, 55);
            List<ReplicationKind> kinds = results.kinds();
            legend(g, 950, 30, kinds.stream().map(ReplicationKind::column).toList(),
                    kinds.stream().map(k -> COLORS[k.ordinal()]).toArray(Color[]::new));
            bars(g, results, 40, 90, WIDTH - 80, 380);
            lag(g, results.lag(), 90, 560, WIDTH - 150, 360);
        } finally {
            g.dispose();
        }
        ImageIO.write(image, "png", file.toFile());
    }

    private static void bars(Graphics2D g, BenchResults results, int x, int y, int width, int height) {
        List<BenchResults.Row> rows = results.rows().stream().filter(r -> !r.metric().unit().equals("ms")).toList();
        g.setFont(TEXT);
        g.setColor(Color.BLACK);
        g.drawString("Throughput, end to end (each group scaled to its own largest bar; snapshot: seconds, lower is better)", x, y);
        if (rows.isEmpty()) {
            return;
        }
        List<ReplicationKind> kinds = results.kinds();
        int slot = width / rows.size();
        int barWidth = Math.min(60, slot / (kinds.size() + 1));
        int base = y + height - 40;
        int top = y + 40;
        for (int i = 0; i < rows.size(); i++) {
            BenchResults.Row row = rows.get(i);
            double max = kinds.stream().mapToDouble(k -> value(results.find(row.workload(), row.metric(), k))).max().orElse(0);
            int cx = x + i * slot + slot / 2;
            int left = cx - (kinds.size() * (barWidth + 4)) / 2;
            for (int k = 0; k < kinds.size(); k++) {
                bar(g, results.find(row.workload(), row.metric(), kinds.get(k)), max, left + k * (barWidth + 4), barWidth, top, base,
                        COLORS[kinds.get(k).ordinal()]);
            }
            g.setColor(Color.BLACK);
            centered(g, row.metric().label() + " (" + row.metric().unit() + ")", cx, base + 16, slot - 6);
            int labelY = base + 32;
            for (ReplicationKind kind : kinds) {
                if (kind == ReplicationKind.NATIVE) {
                    continue;
                }
                Optional<Double> ratio = results.ratio(row, kind, ReplicationKind.NATIVE);
                if (ratio.isPresent()) {
                    centered(g, String.format("%s/native %.2f×", kind.column(), ratio.get()), cx, labelY, slot - 6);
                    labelY += 16;
                }
            }
            Optional<Double> txToRow = results.ratio(row, ReplicationKind.TRANSACTIONAL, ReplicationKind.REPLOG);
            if (txToRow.isPresent()) {
                centered(g, String.format("tx/row %.2f×", txToRow.get()), cx, labelY, slot - 6);
            }
        }
        g.drawLine(x, base, x + width, base);
    }

    private static double value(Optional<Figure> f) {
        return f.filter(Figure::ok).map(Figure::value).orElse(0.0);
    }

    private static void bar(Graphics2D g, Optional<Figure> f, double max, int left, int width, int top, int base, Color color) {
        if (f.isEmpty()) {
            return;
        }
        if (!f.get().ok()) {
            g.setColor(Color.RED);
            g.drawString("FAIL", left + 4, base - 6);
            return;
        }
        double v = f.get().value();
        int h = max <= 0 ? 0 : (int) Math.round((base - top) * v / max);
        g.setColor(color);
        g.fillRect(left, base - h, width, h);
        g.setColor(Color.BLACK);
        String label = v >= 100 ? String.format("%,.0f", v) : String.format("%.2f", v);
        g.drawString(label, left + (width - g.getFontMetrics().stringWidth(label)) / 2, base - h - 4);
    }

    private static void lag(Graphics2D g, List<LagSeries> series, int x, int y, int width, int height) {
        g.setColor(Color.BLACK);
        g.setFont(TEXT);
        g.drawString("pgbench: commit-to-visible lag of each probe marker over the run (ms, log scale)", x - 50, y - 20);
        if (series.isEmpty()) {
            g.drawString("(pgbench not run)", x, y + 20);
            return;
        }
        double maxSeconds = series.stream().flatMap(s -> s.samples().stream()).mapToDouble(LagSeries.Sample::atSeconds).max().orElse(1);
        double maxLag = series.stream().flatMap(s -> s.samples().stream()).mapToDouble(LagSeries.Sample::lagMillis).max().orElse(1);
        double lo = -1;
        double hi = Math.max(1, Math.ceil(Math.log10(Math.max(maxLag, 1))));
        g.drawRect(x, y, width, height);
        for (int e = (int) lo; e <= hi; e++) {
            int py = y + height - (int) ((e - lo) / (hi - lo) * height);
            g.setColor(new Color(0xdd, 0xdd, 0xdd));
            g.drawLine(x, py, x + width, py);
            g.setColor(Color.BLACK);
            g.drawString(e < 0 ? "0.1" : String.format("%,.0f", Math.pow(10, e)), x - 45, py + 4);
        }
        for (int s = 0; s <= 4; s++) {
            double t = maxSeconds * s / 4;
            g.drawString(String.format(maxSeconds < 20 ? "%.1f s" : "%.0f s", t), x + (int) (width * s / 4.0) - 10, y + height + 16);
        }
        String[] names = new String[series.size()];
        Color[] colors = new Color[series.size()];
        g.setStroke(new BasicStroke(1.5f));
        for (int i = 0; i < series.size(); i++) {
            LagSeries s = series.get(i);
            colors[i] = (s.run().equals("unthrottled") ? COLORS : RATED_COLORS)[s.kind().ordinal()];
            names[i] = s.kind().column() + " " + s.run() + String.format(" (p99 %.1f ms)", s.percentile(99));
            g.setColor(colors[i]);
            int px = -1;
            int py = -1;
            for (LagSeries.Sample sample : s.samples()) {
                double logLag = Math.log10(Math.max(sample.lagMillis(), 0.1));
                int nx = x + (int) (sample.atSeconds() / maxSeconds * width);
                int ny = y + height - (int) ((logLag - lo) / (hi - lo) * height);
                if (px >= 0) {
                    g.drawLine(px, py, nx, ny);
                }
                px = nx;
                py = ny;
            }
        }
        legend(g, x + 10, y + height + 40, List.of(names), colors);
    }

    private static void legend(Graphics2D g, int x, int y, List<String> names, Color[] colors) {
        int cx = x;
        int cy = y;
        for (int i = 0; i < names.size(); i++) {
            int w = 16 + g.getFontMetrics().stringWidth(names.get(i)) + 24;
            if (cx > x && cx + w > WIDTH - 20) {
                // Six lag series (three kinds, two runs) do not fit on one line.
                cx = x;
                cy += 18;
            }
            g.setColor(colors[i]);
            g.fillRect(cx, cy - 10, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(names.get(i), cx + 16, cy);
            cx += w;
        }
    }

    private static void centered(Graphics2D g, String text, int cx, int y, int maxWidth) {
        String shown = text;
        while (g.getFontMetrics().stringWidth(shown) > maxWidth && shown.length() > 4) {
            shown = shown.substring(0, shown.length() - 2);
        }
        g.drawString(shown, cx - g.getFontMetrics().stringWidth(shown) / 2, y);
    }
}
