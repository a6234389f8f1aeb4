package dev.replog.metrics;

/**
 * One answer of a health check: up or down, and in a few words why.
 *
 * @param reason what an operator reads in the endpoint's JSON body, e.g. {@code streaming} or
 *               {@code table public.orders stopped at a poison event}
 */
public record Health(boolean up, String reason) {

    public static Health up(String reason) {
        return new Health(true, reason);
    }

    public static Health down(String reason) {
        return new Health(false, reason);
    }

    /** The first of these that is down, else the last one (each check says why it is up). */
    public static Health all(Health... checks) {
        Health last = up("ok");
        for (Health h : checks) {
            if (!h.up()) {
                return h;
            }
            last = h;
        }
        return last;
    }

    /** {@code {"status":"UP","reason":"..."}}. */
    String json() {
        StringBuilder sb = new StringBuilder("{\"status\":\"").append(up ? "UP" : "DOWN").append("\",\"reason\":\"");
        for (char c : reason.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append("\"}").toString();
    }
}
