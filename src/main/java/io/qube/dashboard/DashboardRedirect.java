package io.qube.dashboard;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Sends {@code /dashboard} to {@code /dashboard/}: the page's relative links (its stylesheet and scripts) resolve
 * against the directory, and without the slash the API's catch-all would answer 404.
 */
@ApplicationScoped
public class DashboardRedirect {

    void install(@Observes Router router) {
        // Vert.x matches "/dashboard/" to this path too: only the bare name is redirected, the rest goes on to the
        // static files.
        router.get("/dashboard").handler(context -> {
            if (context.request().path().equals("/dashboard")) {
                context.redirect("/dashboard/");
            } else {
                context.next();
            }
        });
    }
}
