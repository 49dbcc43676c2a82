package dev.enrollment;

import com.mysql.cj.MysqlConnection;
import com.mysql.cj.Query;
import com.mysql.cj.interceptors.QueryInterceptor;
import com.mysql.cj.log.Log;
import com.mysql.cj.protocol.Resultset;
import com.mysql.cj.protocol.ServerSession;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * A mysql-connector-j query interceptor that records, per thread, every statement the driver sends, transaction
 * control included ({@code SET autocommit}, {@code commit}), whoever asked for it. Installed with the driver property
 * {@code queryInterceptors=dev.enrollment.WireCounter}; records nothing on a thread that has not started.
 */
public final class WireCounter implements QueryInterceptor {
    private static final ThreadLocal<List<String>> SENT = new ThreadLocal<>();

    static void start() {
        SENT.set(new ArrayList<>());
    }

    static List<String> stop() {
        List<String> sent = SENT.get();
        SENT.remove();
        return sent;
    }

    @Override
    public QueryInterceptor init(MysqlConnection conn, Properties props, Log log) {
        return this;
    }

    @Override
    public <T extends Resultset> T preProcess(Supplier<String> sql, Query interceptedQuery) {
        List<String> sent = SENT.get();
        if (sent != null) {
            sent.add(sql.get());
        }
        return null;
    }

    @Override
    public boolean executeTopLevelOnly() {
        return true;
    }

    @Override
    public void destroy() {
    }

    @Override
    public <T extends Resultset> T postProcess(Supplier<String> sql, Query interceptedQuery, T originalResultSet,
                                               ServerSession serverSession) {
        return null;
    }
}
