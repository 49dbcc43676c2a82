package dev.enrollment.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** JDBC URLs made safe for messages and logs, and the host and port they name. */
public final class JdbcUrls {
    // password=..., pwd=..., and user:password@ in URLs such as jdbc:mysql://user:secret@host/db
    private static final Pattern PASSWORD_PARAM =
            Pattern.compile("(?i)((?:password|pwd|passwd|sslpassword|trustCertificateKeyStorePassword"
                    + "|clientCertificateKeyStorePassword)=)[^&;\\s]*");
    // user:password@ up to the last '@' before the path: the password may hold '@', ',', ')', '?' or ';' itself.
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@:?;\\s]*):[^/\\s]*@");
    private static final Pattern HOST_PORT = Pattern.compile("//(?:[^/\\s]*@)?([^/?;,@\\s]+)");

    private JdbcUrls() {
    }

    /**
     * Replaces every password in a JDBC URL with {@code ***}.
     *
     * @param url the URL, may be null
     * @return the URL without passwords
     */
    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        String s = PASSWORD_PARAM.matcher(url).replaceAll("$1***");
        return USER_INFO.matcher(s).replaceAll("$1:***@");
    }

    /**
     * Returns the host and port part of a JDBC URL, such as {@code 127.0.0.1:3306}, for messages.
     *
     * @param url the URL
     * @return the host and port, or the redacted URL when it names no host (an embedded database)
     */
    public static String hostAndPort(String url) {
        Matcher m = HOST_PORT.matcher(url);
        return m.find() ? m.group(1) : redact(url);
    }

    /**
     * Removes every occurrence of a password from a text, such as a driver's message.
     *
     * @param text     the text, may be null
     * @param password the password, may be null or empty
     * @return the text without the password, and without password parameters of URLs
     */
    public static String scrub(String text, String password) {
        if (text == null) {
            return null;
        }
        String s = text;
        if (password != null && !password.isEmpty()) {
            s = s.replace(password, "***");
        }
        return redact(s);
    }
}
