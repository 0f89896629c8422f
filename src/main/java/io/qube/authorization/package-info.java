/**
 * Kubernetes' RBAC authorizer as a pure function of the stored Roles, ClusterRoles and bindings: who is asking
 * ({@link io.qube.authorization.UserInfo}), what they ask ({@link io.qube.authorization.Attributes}), and whether a
 * bound rule allows it ({@link io.qube.authorization.RbacPolicy}, {@link io.qube.authorization.PolicyRules}). The
 * access reviews answer from it today; enforcing it on every request comes with authentication.
 */
package io.qube.authorization;
