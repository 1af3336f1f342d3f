package dev.holdfast.sensor.decode;

/** What the decoder could not use, by reason; all of them are counted, none thrown. */
public final class DecodeStats {
    public long unsupportedLinkType;
    public long truncatedFrames;
    public long badIpHeaders;
    public long badTransportHeaders;
    public long fragments;
    public long reassembledDatagrams;
    public long fragmentsDropped;
    public long tcpGaps;
    public long streamOverflows;
    public long dissectorErrors;

    public long badFrames() {
        return truncatedFrames + badIpHeaders + badTransportHeaders + dissectorErrors;
    }
}
