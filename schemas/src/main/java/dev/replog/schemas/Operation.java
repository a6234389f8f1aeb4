package dev.replog.schemas;

/** The kind of a row change, with Debezium's one-letter code used on the wire. */
public enum Operation {
    CREATE("c"), UPDATE("u"), DELETE("d"), READ("r");

    private final String code;

    Operation(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    public static Operation fromCode(String code) {
        for (Operation op : values()) {
            if (op.code.equals(code)) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown operation code '" + code + "'");
    }

    /** Create, update and snapshot read all leave the row present after the event. */
    public boolean leavesRow() {
        return this != DELETE;
    }
}
