package dev.enrollment.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** A progress bar on a terminal; a line per step otherwise ("task: N of TOTAL unit"), on standard error. */
interface Progress extends AutoCloseable {
    /**
     * Shows how far the work has got.
     *
     * @param done the running count
     */
    void stepTo(long done);

    @Override
    void close();

    /**
     * Opens the display.
     *
     * @param task  the command, as the bar's and the lines' name
     * @param unit  what is counted, plural ("rows", "enrollments")
     * @param total how many there are
     * @param err   where lines go when there is no terminal
     * @return the display; close it before printing the summary
     */
    static Progress open(String task, String unit, long total, PrintWriter err) {
        if (System.console() != null) {
            ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).setUnit(" " + unit, 1)
                    .setConsumer(new ConsoleProgressBarConsumer(new PrintStream(System.err, true,
                            StandardCharsets.UTF_8))).build();
            return new Progress() {
                private boolean closed;

                @Override
                public void stepTo(long done) {
                    bar.stepTo(done);
                }

                @Override
                public void close() {
                    if (!closed) {       // closing twice would draw the bar again, after the summary
                        closed = true;
                        bar.close();
                    }
                }
            };
        }
        return new Progress() {
            private long last = -1;

            @Override
            public void stepTo(long done) {
                if (done != last) {
                    err.println(task + ": " + done + " of " + total + " " + unit);
                    last = done;
                }
            }

            @Override
            public void close() {
            }
        };
    }
}
