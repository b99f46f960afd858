package org.jamesproxy.imap.view;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Test helper: what a view writes for one item, and the bytes of a literal value. */
final class ViewAnswers {
    private ViewAnswers() {
    }

    static String answer(InspectedView view, String item) {
        ViewItem parsed = FetchRequest.parse(item).viewItems().get(0);
        ByteBuf out = Unpooled.buffer();
        try {
            view.writeItems(List.of(parsed), out);
            return out.toString(ISO_8859_1);
        } finally {
            out.release();
        }
    }

    /** The value of a single-item answer, without the name. */
    static String value(InspectedView view, String item) {
        String answer = answer(view, item);
        ViewItem parsed = FetchRequest.parse(item).viewItems().get(0);
        return answer.substring(parsed.responseName().length() + 1);
    }

    /** The bytes inside a literal value ({n}\r\n...). */
    static String literal(InspectedView view, String item) {
        String value = value(view, item);
        int close = value.indexOf("}\r\n");
        if (!value.startsWith("{") && !value.startsWith("~{") || close < 0) {
            throw new AssertionError("not a literal: " + value);
        }
        String content = value.substring(close + 3);
        int announced = Integer.parseInt(value.substring(value.indexOf('{') + 1, close));
        if (content.length() != announced) {
            throw new AssertionError("literal announces " + announced + " bytes, carries " + content.length());
        }
        return content;
    }

    static InspectedView view(String message) {
        return InspectedView.of(MessageBytes.inMemory(message.getBytes(ISO_8859_1)));
    }
}
