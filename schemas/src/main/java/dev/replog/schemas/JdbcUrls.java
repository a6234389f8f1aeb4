package dev.replog.schemas;

import java.util.regex.Pattern;

/** JDBC URLs as they may be shown: with every password in them masked. */
public final class JdbcUrls {

    public static final String MASK = "***";

    /** {@code password=...} and {@code sslpassword=...} parameters, after {@code ?}, {@code &} or {@code ;}. */
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;][a-z]*password=)[^&;,\\s]*");
    /** {@code user:password@} before the host. */
    private static final Pattern USER_INFO = Pattern.compile("(//[^/:@,\\s]*:)[^/@,\\s]*@");

    private JdbcUrls() {
    }

    /** The text with the password of every JDBC URL in it masked (it may hold several, separated by commas). */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String masked = PASSWORD_PARAMETER.matcher(text).replaceAll("$1" + MASK);
        return USER_INFO.matcher(masked).replaceAll("$1" + MASK + "@");
    }
}
