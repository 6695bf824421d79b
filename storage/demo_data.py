"""The demo ISP itself: plan groups, services, plans, loyalty terms, staff, and the name and
address pools its seeded clients are drawn from. Plain data, kept apart from the loader
(``storage.demo``), which imports every name, so ``demo.SERVICES`` and the like still work."""

from bot.domain.catalog_base import NO_LOYALTY

GROUPS = ["Residencial Fibra", "Empresarial Fibra", "Rural Rádio"]
SERVICES = [  # code, name, list price (cents)
    ("SCM", "Internet (SCM)", 9990),
    ("STFC", "Telefonia fixa (STFC)", 2990),
    ("SEAC", "TV por assinatura (SeAC)", 4990),
    ("IPFIXO", "IP fixo", 3000),
    ("WIFI", "Wi-Fi Plus (roteador mesh)", 1500),
]
PLANS = [  # group index, name, down, up, price (cents), default service codes
    (0, "Fibra 300 Mega", 300, 150, 9990, ["SCM"]),
    (0, "Fibra 500 Mega", 500, 250, 11990, ["SCM", "WIFI"]),
    (0, "Fibra 700 Mega", 700, 350, 14990, ["SCM", "WIFI"]),
    (0, "Fibra 1 Giga", 1000, 500, 19990, ["SCM", "WIFI", "STFC"]),
    (0, "Combo Fibra 500 + TV", 500, 250, 17990, ["SCM", "SEAC"]),
    (1, "Empresarial 300 Mega", 300, 300, 24990, ["SCM", "IPFIXO"]),
    (1, "Empresarial 600 Mega", 600, 600, 39990, ["SCM", "IPFIXO"]),
    (1, "Empresarial 1 Giga Dedicado", 1000, 1000, 89990, ["SCM", "IPFIXO", "STFC"]),
    (2, "Rural 20 Mega", 20, 5, 12990, ["SCM"]),
    (2, "Rural 50 Mega", 50, 10, 17990, ["SCM"]),
]
LOYALTY = [  # name, months, monthly benefit (cents): the base catalog's term, then the demo's
    (NO_LOYALTY, 0, 0),
    ("Fidelidade 12 meses", 12, 2000),
    ("Fidelidade 12 meses (instalação grátis)", 12, 3500),
    ("Fidelidade 24 meses (empresarial)", 24, 5000),
]
STAFF = [  # telegram id, name, role
    (900000001, "Marcos Técnico Oliveira", "technician"),
    (900000002, "Juliana Técnica Santos", "technician"),
    (900000003, "Rafael Técnico Lima", "technician"),
    (900000011, "Patrícia Atendente Souza", "operator"),
    (900000012, "Bruno Comercial Ferreira", "operator"),
]
FIRST = [
    "Ana",
    "João",
    "Maria",
    "José",
    "Francisca",
    "Antônio",
    "Adriana",
    "Carlos",
    "Luíza",
    "Paulo",
    "Márcia",
    "Lucas",
    "Fernanda",
    "Pedro",
    "Aline",
    "Gabriel",
    "Camila",
    "Rafael",
    "Beatriz",
    "Thiago",
    "Letícia",
    "Mateus",
    "Júlia",
    "Gustavo",
    "Sônia",
    "Vinícius",
]
LAST = [
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Araújo",
    "Melo",
    "Barbosa",
    "Conceição",
    "Nascimento",
    "Cardoso",
    "Rocha",
    "Dias",
    "Teixeira",
    "Mendes",
]
COMPANIES = [
    "Padaria Pão de Mel",
    "Mercadinho São José",
    "Auto Peças Rodrigues & Filhos",
    "Clínica Sorriso Feliz",
    "Escritório Contábil Exatidão",
    "Pizzaria Bella Nápoli",
    "Farmácia Vida & Saúde",
    "Academia Corpo em Movimento",
    "Pet Shop Amigo Fiel",
    "Oficina Mecânica Dois Irmãos",
    "Restaurante Sabor Caseiro",
    "Papelaria Ponto Certo",
]
STREETS = [
    "Rua das Palmeiras",
    "Avenida Brasil",
    "Rua Sete de Setembro",
    "Rua XV de Novembro",
    "Avenida Getúlio Vargas",
    "Rua Tiradentes",
    "Rua Dom Pedro II",
    "Rua São João",
    "Avenida Independência",
    "Rua Santos Dumont",
    "Travessa das Acácias",
]
DISTRICTS = [
    "Centro",
    "Jardim América",
    "Vila Nova",
    "Cambuí",
    "Taquaral",
    "Barão Geraldo",
    "Jardim Proença",
    "Vila Industrial",
    "Castelo",
    "Botafogo",
]
CITIES = [
    ("Campinas", "SP", "130"),
    ("Valinhos", "SP", "132"),
    ("Sumaré", "SP", "131"),
    ("Hortolândia", "SP", "138"),
    ("Paulínia", "SP", "131"),
]
STATUSES = ["ativo"] * 8 + ["bloqueado", "suspenso", "cancelado"]
PF_CLIENTS = 48
PJ_CLIENTS = 12
