package org.jamesproxy.listener;

import org.apache.james.protocols.lib.jmx.ServerMBean;

/** JMX view of one proxy listener (James registers every listener as org.apache.james:type=server,name=jmxName). */
public interface ProxyListenerMBean extends ServerMBean {
    String getPolicyName();
}
