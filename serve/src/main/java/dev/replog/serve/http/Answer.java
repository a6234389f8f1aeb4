package dev.replog.serve.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP answer: status, Replog's headers and a JSON body. */
record Answer(int status, Map<String, String> headers, byte[] body) {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The applied LSN the answer reflects. */
    static final String LSN_HEADER = "X-Replog-Lsn";
    /** Set on a request one instance forwards to another: it is never forwarded again. */
    static final String FORWARDED_HEADER = "X-Replog-Forwarded";
    static final String PARTITION_HEADER = "X-Replog-Partition";
    static final String SERVED_BY_HEADER = "X-Replog-Served-By";

    static Answer json(int status, ObjectNode body) {
        try {
            return new Answer(status, new LinkedHashMap<>(), JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Answer error(int status, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("error", message);
        return json(status, body);
    }

    /** 503 with a retry hint: the partition is moving between instances or restoring. */
    static Answer retryLater(String message) {
        Answer a = error(503, message);
        a.headers().put("Retry-After", "1");
        return a;
    }

    Answer with(String header, String value) {
        headers.put(header, value);
        return this;
    }
}
