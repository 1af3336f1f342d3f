package dev.holdfast.hub.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Checks the reserved flag bits of every packet's first byte before Netty's {@code MqttDecoder},
 * which silently clears them (MQTT 3.1.1 §2.2.2 and MQTT 5 §2.1.3 make them a malformed packet that
 * must close the connection). Follows the packet boundaries in the byte stream with a small state
 * machine over the fixed headers (type byte, remaining length) and skips the bodies; it neither
 * copies nor allocates. On a violation it drops everything after and tells the session with a
 * {@link Violation} event.
 */
public final class MqttFlagsGuard extends ChannelInboundHandlerAdapter {
    /** The user event fired on a packet with reserved flags set. */
    public record Violation(String message) {
    }

    private static final int TYPE = 0;
    private static final int LENGTH = 1;
    private static final int SKIP = 2;
    private static final int BROKEN = 3;

    private int state = TYPE;
    private int lengthBytes;
    private int multiplier;
    private long remaining;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (state == BROKEN) {
            ReferenceCountUtil.release(msg);
            return;
        }
        int at = scan(buf);
        if (at >= 0) {
            state = BROKEN;
            // The packets before the bad one are whole: hand them on, in order, then report.
            if (at > buf.readerIndex()) ctx.fireChannelRead(buf.retainedSlice(buf.readerIndex(), at - buf.readerIndex()));
            ReferenceCountUtil.release(msg);
            ctx.fireUserEventTriggered(new Violation(problem));
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private String problem;

    /** Walks {@code buf} without moving its indexes; the index of the first bad packet (see {@link #problem}), or -1. */
    int scan(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            switch (state) {
                case TYPE -> {
                    int b = buf.getUnsignedByte(i);
                    String p = flagsProblem(b);
                    if (p != null) {
                        problem = p;
                        return i;
                    }
                    i++;
                    state = LENGTH;
                    lengthBytes = 0;
                    multiplier = 1;
                    remaining = 0;
                }
                case LENGTH -> {
                    int b = buf.getUnsignedByte(i++);
                    remaining += (long) (b & 0x7f) * multiplier;
                    multiplier *= 128;
                    if (++lengthBytes > 4) {
                        state = BROKEN; // the decoder reports the bad remaining length itself
                        return -1;
                    }
                    if ((b & 0x80) == 0) state = remaining == 0 ? TYPE : SKIP;
                }
                case SKIP -> {
                    long n = Math.min(remaining, end - i);
                    i += (int) n;
                    remaining -= n;
                    if (remaining == 0) state = TYPE;
                }
                default -> {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** The rule for the first byte of a packet (type in the high nibble, flags in the low one). */
    static String flagsProblem(int firstByte) {
        int type = firstByte >> 4;
        int flags = firstByte & 0x0f;
        if (type == 3) { // PUBLISH: its flags carry DUP, QoS and RETAIN; QoS 3 is malformed (the decoder says so)
            return null;
        }
        int expected = type == 6 || type == 8 || type == 10 ? 0b0010 : 0;
        if (type == 0 || type == 15) return null; // reserved types (or AUTH in 5): the decoder refuses or the session does
        if (flags != expected) {
            String bits = Integer.toBinaryString(flags | 0x10).substring(1);
            return "packet type " + type + " with reserved flags " + bits + " (expected: " + (expected == 0 ? "0000" : "0010")
                    + ", MQTT 3.1.1 §2.2.2)";
        }
        return null;
    }
}
