package org.jamesproxy.values;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.ex.ConfigurationRuntimeException;
import org.apache.commons.configuration2.tree.DefaultConfigurationKey;
import org.apache.commons.configuration2.tree.DefaultExpressionEngine;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.commons.configuration2.tree.InMemoryNodeModel;
import org.apache.commons.configuration2.tree.NodeHandler;
import org.apache.commons.configuration2.tree.QueryResult;

/**
 * Strict configuration without a list of known names: the parsing code reads the file through {@link #track}, every
 * key it asks for (present or not) is remembered, and {@link #failOnUnread} then rejects each element or attribute of
 * the file that no code asked for, suggesting the nearest name that was asked for at the same place. An element
 * becomes known by being read; a key read later by someone else (James's listener code) is declared with
 * {@link #declare} beside the code that relies on it.
 */
public final class ConfigurationReads {
    private static final int MAX_SUGGESTION_DISTANCE = 2;

    private final Set<ImmutableNode> readNodes = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<ImmutableNode> skippedTrees = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<ImmutableNode, Set<String>> readAttributes = new IdentityHashMap<>();
    /** Per element: every child name ("name" or "@attribute") some code asked for, found or not. */
    private final Map<ImmutableNode, Set<String>> askedNames = new IdentityHashMap<>();
    private final ImmutableNode root;

    private ConfigurationReads(ImmutableNode root) {
        this.root = root;
    }

    /** A view of {@code config} whose reads (and those of its sub-configurations) are recorded by the returned tracker. */
    public static ConfigurationReads of(HierarchicalConfiguration<ImmutableNode> config) {
        return new ConfigurationReads(config.getNodeModel().getNodeHandler().getRootNode());
    }

    /** The configuration to parse from; reading it records what is known. */
    public HierarchicalConfiguration<ImmutableNode> tracked() {
        return new Tracking(root, this);
    }

    /** Records keys that the code parsing {@code config} leaves to another reader (James's own listener code). */
    public static void declare(HierarchicalConfiguration<ImmutableNode> config, String... keys) {
        for (String key : keys) {
            config.getProperty(key);
        }
    }

    /** Accepts everything below {@code config}'s element unread (a disabled policy: it is not parsed at all). */
    public void skip(HierarchicalConfiguration<ImmutableNode> config) {
        skippedTrees.add(config.getNodeModel().getNodeHandler().getRootNode());
    }

    /**
     * Throws when the file has an element or attribute nobody read, naming each as {@code rootPath.a.b[@c]} with the
     * nearest known name.
     */
    public void failOnUnread(String rootPath) throws ConfigurationException {
        List<String> problems = new ArrayList<>();
        checkAttributes(root, rootPath, problems);
        checkChildren(root, rootPath, problems);
        if (!problems.isEmpty()) {
            throw new ConfigurationException(String.join("; ", problems));
        }
    }

    private void checkChildren(ImmutableNode parent, String parentPath, List<String> problems) {
        if (skippedTrees.contains(parent)) {
            return;
        }
        for (ImmutableNode child : parent.getChildren()) {
            String path = parentPath + "." + child.getNodeName() + index(parent, child);
            if (!readNodes.contains(child)) {
                problems.add("unknown element " + path + suggestion(parent, child.getNodeName(), false));
                continue;
            }
            if (skippedTrees.contains(child)) {
                continue;
            }
            checkAttributes(child, path, problems);
            checkChildren(child, path, problems);
        }
    }

    private void checkAttributes(ImmutableNode element, String path, List<String> problems) {
        Set<String> read = readAttributes.getOrDefault(element, Set.of());
        for (String attribute : element.getAttributes().keySet()) {
            if (!read.contains(attribute) && !isXmlInfrastructure(attribute)) {
                problems.add("unknown attribute " + path + "[@" + attribute + "]" + suggestion(element, attribute, true));
            }
        }
    }

    private static boolean isXmlInfrastructure(String attribute) {
        return attribute.startsWith("xmlns") || attribute.startsWith("xsi:") || attribute.startsWith("xml:");
    }

    /** "[i]" when the parent has several children of that name, as the parsing code's paths count them. */
    private static String index(ImmutableNode parent, ImmutableNode child) {
        List<ImmutableNode> same = parent.getChildren(child.getNodeName());
        return same.size() > 1 ? "[" + indexOf(same, child) + "]" : "";
    }

    private static int indexOf(List<ImmutableNode> nodes, ImmutableNode node) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i) == node) {
                return i;
            }
        }
        return -1;
    }

    private String suggestion(ImmutableNode parent, String name, boolean attribute) {
        List<String> known = new ArrayList<>();
        for (String asked : askedNames.getOrDefault(parent, Set.of())) {
            if (asked.startsWith("@") == attribute) {
                known.add(attribute ? asked.substring(1) : asked);
            }
        }
        Optional<String> nearest = nearest(name, known);
        if (nearest.isPresent()) {
            return ", did you mean " + nearest.get() + "?";
        }
        return known.isEmpty() ? "" : " (known here: " + String.join(", ", known) + ")";
    }

    static Optional<String> nearest(String name, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        int allowed = Math.max(MAX_SUGGESTION_DISTANCE, name.length() / 3);
        return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /**
     * Records one query: every element on the key's path is read, and at each step the name asked for is remembered
     * at the elements where it was looked for, so a misspelling can be matched to it.
     */
    private void record(Tracking config, ImmutableNode queryRoot, String key, NodeHandler<ImmutableNode> handler) {
        DefaultConfigurationKey.KeyIterator parts = new DefaultConfigurationKey(DefaultExpressionEngine.INSTANCE, key).iterator();
        DefaultConfigurationKey prefix = new DefaultConfigurationKey(DefaultExpressionEngine.INSTANCE);
        List<ImmutableNode> parents = List.of(queryRoot);
        while (parts.hasNext() && !parents.isEmpty()) {
            String name = parts.nextKey(false);
            boolean attribute = parts.isAttribute();
            for (ImmutableNode parent : parents) {
                askedNames.computeIfAbsent(parent, node -> new LinkedHashSet<>()).add(attribute ? "@" + name : name);
            }
            if (attribute) {
                prefix.appendAttribute(name);
            } else {
                prefix.append(name, true);
                if (parts.hasIndex()) {
                    prefix.appendIndex(parts.getIndex());
                }
            }
            List<ImmutableNode> found = new ArrayList<>();
            for (QueryResult<ImmutableNode> result : config.resolveUntracked(queryRoot, prefix.toString(), handler)) {
                if (result.isAttributeResult()) {
                    readAttributes.computeIfAbsent(result.getNode(), node -> new LinkedHashSet<>()).add(result.getAttributeName());
                } else {
                    readNodes.add(result.getNode());
                    found.add(result.getNode());
                }
            }
            parents = found;
        }
    }

    /** A configuration whose key lookups are recorded, and whose sub-configurations are tracked as well. */
    private static final class Tracking extends BaseHierarchicalConfiguration {
        private final ConfigurationReads reads;

        Tracking(ImmutableNode root, ConfigurationReads reads) {
            super(new InMemoryNodeModel(root));
            this.reads = reads;
        }

        @Override
        public List<QueryResult<ImmutableNode>> resolveKey(ImmutableNode root, String key, NodeHandler<ImmutableNode> handler) {
            reads.record(this, root, key, handler);
            return super.resolveKey(root, key, handler);
        }

        List<QueryResult<ImmutableNode>> resolveUntracked(ImmutableNode root, String key, NodeHandler<ImmutableNode> handler) {
            return super.resolveKey(root, key, handler);
        }

        /** The elements at {@code key} (recorded as read), each as a tracked configuration. */
        private List<HierarchicalConfiguration<ImmutableNode>> elementsAt(String key) {
            List<HierarchicalConfiguration<ImmutableNode>> elements = new ArrayList<>();
            for (QueryResult<ImmutableNode> result : fetchNodeList(key)) {
                if (!result.isAttributeResult()) {
                    elements.add(new Tracking(result.getNode(), reads));
                }
            }
            return elements;
        }

        @Override
        public HierarchicalConfiguration<ImmutableNode> configurationAt(String key, boolean supportUpdates) {
            List<HierarchicalConfiguration<ImmutableNode>> elements = elementsAt(key);
            if (elements.size() != 1) {
                throw new ConfigurationRuntimeException("Passed in key must select exactly one node (found "
                    + elements.size() + "): " + key);
            }
            return elements.get(0);
        }

        @Override
        public HierarchicalConfiguration<ImmutableNode> configurationAt(String key) {
            return configurationAt(key, false);
        }

        @Override
        public List<HierarchicalConfiguration<ImmutableNode>> configurationsAt(String key) {
            return elementsAt(key);
        }

        @Override
        public List<HierarchicalConfiguration<ImmutableNode>> configurationsAt(String key, boolean supportUpdates) {
            return elementsAt(key);
        }

        @Override
        public List<HierarchicalConfiguration<ImmutableNode>> childConfigurationsAt(String key) {
            List<HierarchicalConfiguration<ImmutableNode>> children = new ArrayList<>();
            for (HierarchicalConfiguration<ImmutableNode> element : elementsAt(key)) {
                for (ImmutableNode child : element.getNodeModel().getNodeHandler().getRootNode().getChildren()) {
                    reads.readNodes.add(child);
                    children.add(new Tracking(child, reads));
                }
            }
            return children;
        }

        @Override
        public List<HierarchicalConfiguration<ImmutableNode>> childConfigurationsAt(String key, boolean supportUpdates) {
            return childConfigurationsAt(key);
        }
    }
}
