{
  description = "Cardflow: a local-first workflow workbench (Deno, SQLite, htmx)";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAll = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in {
      # The app: the source tree plus a launcher that runs it with nixpkgs' Deno and the
      # `cardflow` permission set from deno.json. npm packages are fetched into Deno's
      # cache on first start (or vendored beforehand with `deno install`).
      packages = forAll (pkgs: {
        default = pkgs.writeShellApplication {
          name = "cardflow";
          runtimeInputs = [ pkgs.deno ];
          text = ''
            export DENO_DIR="''${DENO_DIR:-''${XDG_CACHE_HOME:-$HOME/.cache}/cardflow-deno}"
            export CARDFLOW_DATA_DIR="''${CARDFLOW_DATA_DIR:-''${STATE_DIRECTORY:-''${XDG_DATA_HOME:-$HOME/.local/share}/cardflow}}"
            cd ${self}
            exec deno run -P=cardflow main.ts "$@"
          '';
        };
      });

      apps = forAll (pkgs: {
        default = { type = "app"; program = "${self.packages.${pkgs.system}.default}/bin/cardflow"; };
      });

      devShells = forAll (pkgs: {
        default = pkgs.mkShell { packages = [ pkgs.deno pkgs.chromium pkgs.wrk ]; };
      });

      # services.cardflow.enable = true; on NixOS.
      nixosModules.default = { config, lib, pkgs, ... }:
        let cfg = config.services.cardflow; in {
          options.services.cardflow = {
            enable = lib.mkEnableOption "Cardflow";
            port = lib.mkOption { type = lib.types.port; default = 5001; };
            ollamaHost = lib.mkOption { type = lib.types.str; default = "http://127.0.0.1:11434"; };
          };
          config = lib.mkIf cfg.enable {
            systemd.services.cardflow = {
              description = "Cardflow";
              wantedBy = [ "multi-user.target" ];
              after = [ "network.target" ];
              environment = { OLLAMA_HOST = cfg.ollamaHost; };
              serviceConfig = {
                ExecStart = "${self.packages.${pkgs.system}.default}/bin/cardflow --host 127.0.0.1 --port ${toString cfg.port}";
                DynamicUser = true;
                StateDirectory = "cardflow";
                CacheDirectory = "cardflow";
                Environment = [ "DENO_DIR=/var/cache/cardflow" ];
                Restart = "on-failure";
                NoNewPrivileges = true;
                ProtectSystem = "strict";
                ProtectHome = true;
                PrivateTmp = true;
              };
            };
          };
        };
    };
}
