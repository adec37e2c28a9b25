# fleet-sre image: the shaded jar on a JRE 17, run as a non-root user.
# Build the jar first (mvn -B -DskipTests package), then: docker build -t fleet-sre:0.1.0 .
FROM eclipse-temurin:17-jre

# A fixed numeric user, so that Kubernetes' runAsNonRoot can verify it without a passwd lookup.
RUN groupadd --system --gid 10001 fleet-sre \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home fleet-sre \
 && mkdir -p /app /var/lib/fleet-sre \
 && chown 10001:10001 /var/lib/fleet-sre

COPY target/fleet-sre.jar /app/fleet-sre.jar

WORKDIR /app
USER 10001:10001
ENV FLEET_SRE_DATA_DIR=/var/lib/fleet-sre \
    FLEET_SRE_HTTP_INTERFACE=0.0.0.0

# HTTP API, Pekko remoting, Pekko Management.
EXPOSE 8080 25520 7626
ENTRYPOINT ["java", "-jar", "/app/fleet-sre.jar"]
CMD ["serve"]
