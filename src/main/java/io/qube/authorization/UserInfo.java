package io.qube.authorization;

import java.util.List;

/** An authenticated (or impersonated) user: the name and groups RBAC subjects are matched against. */
public record UserInfo(String name, List<String> groups) {

    /** The group whose members every authorizer allows everything (kube-apiserver's privileged group). */
    public static final String MASTERS = "system:masters";
    public static final String AUTHENTICATED = "system:authenticated";
    public static final String UNAUTHENTICATED = "system:unauthenticated";
    public static final String ANONYMOUS = "system:anonymous";
    private static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

    public UserInfo {
        groups = List.copyOf(groups);
    }

    /**
     * A user as Kubernetes' impersonation makes one: the groups asked for, the groups of a service account's
     * user name ({@code system:serviceaccount:ns:name}), and system:authenticated (system:unauthenticated for
     * system:anonymous).
     */
    public static UserInfo impersonated(String name, List<String> groups) {
        List<String> all = new java.util.ArrayList<>(groups);
        String[] account = serviceAccount(name);
        if (account != null) {
            addOnce(all, "system:serviceaccounts");
            addOnce(all, "system:serviceaccounts:" + account[0]);
        }
        addOnce(all, ANONYMOUS.equals(name) ? UNAUTHENTICATED : AUTHENTICATED);
        return new UserInfo(name, all);
    }

    /** Namespace and name if the user name is a service account's, else null. */
    static String[] serviceAccount(String userName) {
        if (!userName.startsWith(SERVICE_ACCOUNT_PREFIX)) {
            return null;
        }
        String[] parts = userName.substring(SERVICE_ACCOUNT_PREFIX.length()).split(":", -1);
        return parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty() ? parts : null;
    }

    private static void addOnce(List<String> groups, String group) {
        if (!groups.contains(group)) {
            groups.add(group);
        }
    }
}
