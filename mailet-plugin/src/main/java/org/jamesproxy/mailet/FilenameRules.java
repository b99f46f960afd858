package org.jamesproxy.mailet;

import java.util.Optional;

import org.jamesproxy.mailet.action.Finding;
import org.jamesproxy.mailet.action.RuleAction;
import org.jamesproxy.mime.ContentTypeDetector;
import org.jamesproxy.mime.Filenames;
import org.jamesproxy.mime.MimeItem;
import org.jamesproxy.mime.MimeRuleMailet;
import org.jamesproxy.mime.MimeScanner;
import org.jamesproxy.mime.RuleList;

/**
 * Acts on attachments by file name: case-insensitive globs ({@code *} any run of characters, {@code ?} one) matched
 * against the decoded name of every leaf part and of every entry of ZIP archives (nested ones too).
 * <p>
 * Names: {@code Content-Disposition: filename} and {@code Content-Type: name}, plain, RFC 2231 ({@code filename*=},
 * continuations {@code filename*0*=...}, with charset) and RFC 2047 encoded words. When a part carries several names
 * (they disagree, or repeat), <em>each</em> is looked up and the most severe outcome counts; so do the variants a
 * file system would make of a name (see {@link Filenames}). An archive entry is looked up by its full path and by its
 * last segment. A part without any name is not subject to these rules.
 * <p>
 * Parameters:
 * <ul>
 *   <li>{@code rules} (required): {@code pattern[, pattern...] = action} entries separated by {@code ;} or line
 *       breaks; for one name the first entry with a matching pattern decides; a name no entry matches is allowed
 *       (end with {@code * = allow} to say so). Actions: allow, strip, quarantine (lock), tempfail, deny, drop, block.
 *       A pattern cannot contain {@code , ; =}.</li>
 *   <li>{@code scanArchives} (true): look inside ZIP archives (recognised by content, not by name);</li>
 *   <li>{@code onUnscannable} (deny): the action when the message cannot be inspected with confidence (limits,
 *       ambiguous MIME, unreadable or encrypted archive, broken base64 in an archive);</li>
 *   <li>limits {@code maxDepth}, {@code maxParts}, {@code maxHeaderSize}, {@code maxDecodedSize},
 *       {@code maxArchiveDepth}, {@code maxArchiveEntries}: see {@link org.jamesproxy.mime.MimeLimits}.</li>
 * </ul>
 * Example:
 * <pre>
 * &lt;mailet match="All" class="org.jamesproxy.mailet.FilenameRules"&gt;
 *   &lt;rules&gt;
 *     *.exe, *.scr, *.com, *.pif, *.js, *.vbs = strip
 *     invoice*.zip = quarantine
 *     * = allow
 *   &lt;/rules&gt;
 *   &lt;onUnscannable&gt;deny&lt;/onUnscannable&gt;
 * &lt;/mailet&gt;
 * </pre>
 * Findings: category FILENAME, on the MIME part (for an archive entry: the part holding the archive), with the
 * matched name. See {@link MimeScanner} for the hostile-MIME decisions.
 */
public class FilenameRules extends MimeRuleMailet {
    @Override
    protected String rulesHint() {
        return "'pattern[, pattern...] = action' entries separated by ';' or line breaks, e.g. '*.exe, *.scr = strip; * = allow'";
    }

    @Override
    protected Optional<String> checkPattern(String pattern) {
        return Optional.empty();
    }

    @Override
    protected MimeScanner.Options scannerOptions(boolean scanArchives) {
        return new MimeScanner.Options(false, false, scanArchives, ContentTypeDetector.forTypes(type -> false));
    }

    @Override
    protected Optional<Finding> evaluate(RuleList rules, MimeItem item) {
        return rules.decide(item.getFilenames())
            .filter(decision -> decision.getAction() != RuleAction.ALLOW)
            .map(decision -> Finding.builder(Finding.Category.FILENAME, decision.getAction(),
                    "file name '" + decision.getCandidate() + "' (" + item.describe() + ") matches rule '" + decision.getRule() + "'")
                .part(item.getPart())
                .filename(decision.getCandidate())
                .type(item.getDeclaredType().or(() -> item.getDetectedTypes().stream().findFirst()))
                .build());
    }

    @Override
    public String getMailetInfo() {
        return "FilenameRules: acts on attachments and archive entries by decoded file name";
    }
}
