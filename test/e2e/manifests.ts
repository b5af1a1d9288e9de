/** Manifests the history e2e tests apply. */

/** A ReplicaSet `web` of two long-running `sleep` pods. */
export const WEB_RS = `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: c
        image: busybox
        command: ["sleep", "600"]
`
