package dev.enrollment.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** One run of the command line with an environment of the test's own: its exit code and what it printed. */
final class Run {
    final int code;
    final String out;
    final String err;

    Run(Map<String, String> env, String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        CommandLine cli = Main.commandLine(new Main(env::get));
        cli.setOut(new PrintWriter(o, true));
        cli.setErr(new PrintWriter(e, true));
        this.code = cli.execute(args);
        this.out = o.toString();
        this.err = e.toString();
    }

    String all() {
        return out + err;
    }
}
