package io.qube.agent.dns;

import org.jboss.logging.Logger;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.util.List;

/**
 * One query in, one answer out, whatever came in: the cluster's names from the {@link ClusterZone}, the rest
 * from the {@link Upstreams}; FORMERR for what does not parse as a query, SERVFAIL when the upstreams do not answer
 * or anything else goes wrong, never an exception.
 */
final class QueryHandler {

    private static final Logger LOG = Logger.getLogger(QueryHandler.class);
    /** The largest UDP answer without EDNS (RFC 1035). */
    private static final int UDP_LIMIT = 512;
    /** The UDP payload size this server offers with EDNS: the DNS flag day 2020 value, which avoids fragments. */
    private static final int EDNS_PAYLOAD = 1232;

    private final ClusterZone zone;
    private final Upstreams upstreams;

    QueryHandler(ClusterZone zone, Upstreams upstreams) {
        this.zone = zone;
        this.upstreams = upstreams;
    }

    /**
     * The answer's wire format, truncated (TC set) to what the client accepts over UDP; null when there is nothing
     * to answer (fewer bytes than a header, or a message that is itself an answer).
     */
    byte[] respond(byte[] wire, boolean udp) {
        if (wire.length < Header.LENGTH || (wire[2] & 0x80) != 0) {
            return null;
        }
        Message query;
        try {
            query = new Message(wire);
        } catch (IOException e) {
            return error(wire, Rcode.FORMERR).toWire();
        }
        try {
            if (query.getHeader().getOpcode() != Opcode.QUERY) {
                return error(wire, Rcode.NOTIMP).toWire();
            }
            if (query.getHeader().getCount(Section.QUESTION) != 1) {
                return error(wire, Rcode.FORMERR).toWire();
            }
            OPTRecord edns = query.getOPT();
            int limit = !udp ? 65535 : edns == null ? UDP_LIMIT : Math.max(UDP_LIMIT, edns.getPayloadSize());
            Message answer = zone.answer(query);
            if (answer != null) {
                addTargetAddresses(query, answer);
                if (edns != null) {
                    answer.addRecord(new OPTRecord(EDNS_PAYLOAD, 0, 0), Section.ADDITIONAL);
                }
                return answer.toWire(limit);
            }
            byte[] relayed = upstreams.forward(query);
            if (relayed == null) {
                return failure(query, wire);
            }
            // An answer the upstream gave over TCP may be too long for this client's UDP.
            return relayed.length <= limit ? relayed : new Message(relayed).toWire(limit);
        } catch (IOException | RuntimeException e) {
            LOG.debugf(e, "query %s failed", query.getQuestion());
            return failure(query, wire);
        }
    }

    /**
     * An ExternalName Service's CNAME comes with its target's addresses, as CoreDNS resolves the target: stub
     * resolvers take a CNAME-only answer as the end. Without an answer for the target, the CNAME stands alone.
     */
    private void addTargetAddresses(Message query, Message answer) throws IOException {
        int type = query.getQuestion().getType();
        List<Record> records = answer.getSection(Section.ANSWER);
        if (type != Type.A && type != Type.AAAA || records.size() != 1
                || !(records.get(0) instanceof CNAMERecord cname)) {
            return;
        }
        Message targetQuery = Message.newQuery(Record.newRecord(cname.getTarget(), type, DClass.IN));
        Message target = zone.answer(targetQuery);
        if (target == null) {
            byte[] relayed = upstreams.forward(targetQuery);
            target = relayed == null ? null : new Message(relayed);
        }
        if (target != null) {
            target.getSection(Section.ANSWER).forEach(record -> answer.addRecord(record, Section.ANSWER));
        }
    }

    /** SERVFAIL with the query's question, which resolvers check an answer against. */
    private static byte[] failure(Message query, byte[] wire) {
        Message answer = error(wire, Rcode.SERVFAIL);
        answer.addRecord(query.getQuestion(), Section.QUESTION);
        return answer.toWire();
    }

    /** An answer of only a header: the query's ID and RD flag, and the error. */
    private static Message error(byte[] wire, int rcode) {
        Header header = new Header((wire[0] & 0xff) << 8 | wire[1] & 0xff);
        header.setFlag(Flags.QR);
        header.setFlag(Flags.RA);
        if ((wire[2] & 0x01) != 0) {
            header.setFlag(Flags.RD);
        }
        header.setRcode(rcode);
        Message message = new Message();
        message.setHeader(header);
        return message;
    }
}
