package dev.holdfast.sensor.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.holdfast.sensor.PacketPipeline;
import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;
import dev.holdfast.sensor.dissect.AppProtocol;
import dev.holdfast.sensor.dissect.BacnetDissector;
import dev.holdfast.sensor.dissect.CdpDissector;
import dev.holdfast.sensor.dissect.CoapDissector;
import dev.holdfast.sensor.dissect.DhcpDissector;
import dev.holdfast.sensor.dissect.Dissector;
import dev.holdfast.sensor.dissect.Dnp3Dissector;
import dev.holdfast.sensor.dissect.DnsDissector;
import dev.holdfast.sensor.dissect.EnipDissector;
import dev.holdfast.sensor.dissect.Field;
import dev.holdfast.sensor.dissect.FieldSink;
import dev.holdfast.sensor.dissect.LldpDissector;
import dev.holdfast.sensor.dissect.ModbusDissector;
import dev.holdfast.sensor.dissect.MqttDissector;
import dev.holdfast.sensor.dissect.S7Dissector;
import dev.holdfast.sensor.dissect.SnmpDissector;
import dev.holdfast.sensor.dissect.TextDissector;
import dev.holdfast.sensor.dissect.TlsDissector;
import dev.holdfast.sensor.pcap.CaptureReader;
import dev.holdfast.sensor.pcap.Captures;
import dev.holdfast.sensor.pcap.Frame;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Every dissector, the whole pipeline (decoder, reassembly, flow table) and the capture readers
 * on arbitrary bytes. Invariant: no exception escapes a dissector, a consumed count is within the
 * input, the pipeline's safety net is never needed, and a reader either refuses to open with an
 * IOException or ends reading on its own.
 */
class DissectorFuzzTest {
    private static final Dissector[] DISSECTORS = {new ModbusDissector(), new Dnp3Dissector(), new S7Dissector(), new EnipDissector(),
            new BacnetDissector(), new DhcpDissector(), new DnsDissector(false, false), new DnsDissector(true, false), new DnsDissector(false, true),
            new LldpDissector(), new CdpDissector(), new TlsDissector(), new MqttDissector(), new SnmpDissector(), new CoapDissector(),
            new TextDissector(AppProtocol.HTTP), new TextDissector(AppProtocol.SSDP), new TextDissector(AppProtocol.SSH),
            new TextDissector(AppProtocol.FTP), new TextDissector(AppProtocol.TELNET)};

    private static final FieldSink SINK = new FieldSink() {
        @Override
        public void number(Packet p, Flow flow, boolean fromClient, Field field, long value) {
        }

        @Override
        public void text(Packet p, Flow flow, boolean fromClient, Field field, byte[] b, int off, int len) {
            if (off < 0 || len < 0 || off + len > b.length) throw new AssertionError(field + " view out of bounds: " + off + "+" + len);
        }
    };

    @FuzzTest(maxDuration = "60s")
    void dissect_neverThrowsAndConsumesWithinTheInput(FuzzedDataProvider data) {
        Dissector d = DISSECTORS[data.consumeInt(0, DISSECTORS.length - 1)];
        int pad = data.consumeInt(0, 8);
        byte[] body = data.consumeRemainingAsBytes();
        byte[] buf = new byte[pad + body.length + pad];
        System.arraycopy(body, 0, buf, pad, body.length);
        Flow flow = new Flow();
        Packet p = new Packet();
        for (boolean fromClient : new boolean[]{true, false}) {
            int used = d.dissect(p, flow, fromClient, buf, pad, body.length, SINK);
            if (used < 0 || used > body.length) throw new AssertionError(d.getClass().getSimpleName() + " consumed " + used + " of " + body.length);
            d.dissect(p, null, fromClient, buf, pad, body.length, SINK);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void captureReaders_andPipeline_neverThrow(byte[] input) {
        CountingListener listener = new CountingListener();
        PacketPipeline pipeline = new PacketPipeline(listener, new PacketPipeline.Limits(64, 4096, 1 << 20));
        try (CaptureReader reader = Captures.open(new ByteArrayInputStream(input))) {
            Frame f = new Frame();
            for (int i = 0; i < 100_000 && reader.next(f); i++) {
                if (f.capturedLength < 0 || f.offset + f.capturedLength > f.data.length) throw new AssertionError("frame view out of bounds");
                pipeline.process(f);
            }
        } catch (IOException refused) {
            return;
        }
        pipeline.finish();
        if (pipeline.stats().dissectorErrors != 0) throw new AssertionError("a dissector threw");
    }

    private static final class CountingListener implements PacketPipeline.Listener {
        long fields;

        @Override
        public void number(Packet p, Flow flow, boolean fromClient, Field field, long value) {
            fields++;
        }

        @Override
        public void text(Packet p, Flow flow, boolean fromClient, Field field, byte[] b, int off, int len) {
            SINK.text(p, flow, fromClient, field, b, off, len);
        }

        @Override
        public void packet(Packet p, Flow flow, boolean fromClient, boolean newFlow) {
        }

        @Override
        public void arp(Packet p, int operation, long senderMac, int senderIp, long targetMac, int targetIp) {
        }

        @Override
        public void flowEnded(Flow flow) {
        }
    }
}
